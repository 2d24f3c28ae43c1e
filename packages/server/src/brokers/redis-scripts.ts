import { createHash } from 'node:crypto';

/** A Lua script sent with EVALSHA, falling back to EVAL when the server does not know it yet. */
export interface RedisScript {
  source: string;
  sha: string;
}

const script = (source: string): RedisScript => ({ source, sha: createHash('sha1').update(source).digest('hex') });

/*
 * Shared prologue: a topic's epoch and offset counter live together in one hash (`meta`). When the hash is
 * missing (first use, FLUSHALL, a restart without persistence, eviction) a fresh epoch is written and any
 * stream left over is dropped, so offsets restart at 1 only together with a new epoch.
 */
const ENSURE_META = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
end
`;

/**
 * Publish in one atomic step: idempotency check, offset (HINCRBY), XADD with the offset as stream id,
 * remember the id (as "offset epoch", not the payload, to keep the dedup window cheap), PUBLISH for live
 * fan-out. A duplicate answers with the stored message, or — once trimmed, or in pub/sub mode — with the
 * first position and this publish's own payload.
 * The stream is then trimmed from its oldest end to the history window: entries stored (field `t`) longer
 * than the stream ttl ago, and while the bytes kept (meta field `b`, the sum of the envelopes' lengths) or
 * the count exceed their limits. At most 64 entries per publish, which keeps up since each publish adds one.
 * KEYS: meta, stream, dedup key. ARGV: fresh epoch, envelope JSON without its closing brace, max count
 * ('0' = no stream: pub/sub mode, 'inf' = no count cap), dedup window ms, channel, stream ttl ms (the age
 * window; 0 = none), idle ttl ms of the meta hash (an idle topic is forgotten: its next publish starts a new
 * epoch), now ms, max bytes.
 * Returns `{duplicate 0|1, envelope JSON}`.
 */
export const PUBLISH_SCRIPT = script(`
local dup = redis.call('GET', KEYS[3])
if dup then
  local sep = string.find(dup, ' ', 1, true)
  local dupOffset, dupEpoch = string.sub(dup, 1, sep - 1), string.sub(dup, sep + 1)
  local stored = redis.call('XRANGE', KEYS[2], dupOffset .. '-0', dupOffset .. '-0')
  if stored[1] and redis.call('HGET', KEYS[1], 'epoch') == dupEpoch then return {1, stored[1][2][2]} end
  return {1, ARGV[2] .. ',"offset":' .. dupOffset .. ',"epoch":"' .. dupEpoch .. '"}'}
end
${ENSURE_META}
local offset = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[7])
local msg = ARGV[2] .. ',"offset":' .. offset .. ',"epoch":"' .. epoch .. '"}'
if ARGV[3] ~= '0' then
  redis.call('XADD', KEYS[2], offset .. '-0', 'm', msg, 't', ARGV[8])
  if ARGV[6] ~= '0' then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
  local len = redis.call('XLEN', KEYS[2])
  local bytes
  if len == 1 then
    bytes = #msg
    redis.call('HSET', KEYS[1], 'b', bytes)
  else
    bytes = redis.call('HINCRBY', KEYS[1], 'b', #msg)
  end
  local cutoff = ARGV[6] ~= '0' and (tonumber(ARGV[8]) - tonumber(ARGV[6])) or nil
  local maxBytes = tonumber(ARGV[9])
  local maxCount = ARGV[3] ~= 'inf' and tonumber(ARGV[3]) or nil
  local function over(entry)
    local t = tonumber(entry[2][4])
    return bytes > maxBytes or (maxCount ~= nil and len > maxCount) or (cutoff ~= nil and t ~= nil and t < cutoff)
  end
  local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  if first and over(first) then
    local dropped = nil
    for _, entry in ipairs(redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 64)) do
      if not over(entry) then break end
      bytes = bytes - #entry[2][2]
      len = len - 1
      dropped = entry[1]
    end
    redis.call('XTRIM', KEYS[2], 'MINID', (tonumber(string.match(dropped, '^%d+')) + 1) .. '-0')
    redis.call('HSET', KEYS[1], 'b', math.max(0, bytes))
  end
end
redis.call('SET', KEYS[3], offset .. ' ' .. epoch, 'PX', ARGV[4])
redis.call('PUBLISH', ARGV[5], msg)
return {0, msg}
`);

/**
 * Read a consistent snapshot: epoch, head offset and stored messages.
 * KEYS: meta, stream. ARGV: fresh epoch (only used with 'create'), 'since' | 'last', since offset | N, count (0 = all), since epoch
 * ('*' = whatever the current one is), 'create' | 'read', idle ttl ms.
 * A plain read of a topic without meta stores nothing and returns `{'', 0, {}}`; `create` (a subscriber
 * arriving) starts its run like a publish would, expiring after the idle ttl unless published to.
 * Returns `{epoch, head, messages}`: the envelopes' JSON only (not the stream entries with their ids and stored
 * times, which the broker would decode and drop); for 'since' in another epoch, messages is empty.
 */
export const HISTORY_SCRIPT = script(`
if ARGV[6] ~= 'create' and redis.call('EXISTS', KEYS[1]) == 0 then return {'', 0, {}} end
${ENSURE_META}
if ARGV[6] == 'create' then redis.call('PEXPIRE', KEYS[1], ARGV[7]) end
local head = tonumber(redis.call('HGET', KEYS[1], 'seq'))
local entries = {}
if ARGV[2] == 'since' then
  if ARGV[5] == epoch or ARGV[5] == '*' then
    local from = (tonumber(ARGV[3]) + 1) .. '-0'
    if ARGV[4] ~= '0' then
      entries = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', ARGV[4])
    else
      entries = redis.call('XRANGE', KEYS[2], from, '+')
    end
  end
elseif ARGV[3] ~= '0' then
  entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', ARGV[3])
end
local messages = {}
for i, entry in ipairs(entries) do messages[i] = entry[2][2] end
return {epoch, head, messages}
`);

/**
 * Start a new epoch if the topic's counter is still below an offset some instance already delivered in the
 * same epoch (acknowledged writes were lost). KEYS: meta, stream. ARGV: epoch, offset seen, fresh epoch.
 * Returns the epoch in force afterwards.
 */
export const ROLLBACK_SCRIPT = script(`
local epoch = redis.call('HGET', KEYS[1], 'epoch')
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if epoch == ARGV[1] and seq < tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', ARGV[3], 'seq', 0)
  return ARGV[3]
end
return epoch or ''
`);
