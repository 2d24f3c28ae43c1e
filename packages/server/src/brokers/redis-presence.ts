import { createHash } from 'node:crypto';
import type { PresenceMember } from '@qwik-realtime/core/protocol';
import type { BrokerPresence } from '../broker.js';
import type { RedisClientLike } from './redis.js';
import type { RedisScript } from './redis-scripts.js';

const script = (source: string): RedisScript => ({ source, sha: createHash('sha1').update(source).digest('hex') });

// KEYS: members hash (id -> member JSON), expiries sorted set (id -> expiresAt ms); one hash slot per topic.
/** ARGV: id, member JSON, expiresAt, now, max, key TTL ms, channel. Returns 0 when the topic is full. */
const JOIN = script(`
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
if #gone > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
  redis.call('HDEL', KEYS[1], unpack(gone))
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
redis.call('PUBLISH', ARGV[7], 'join')
return 1
`);

/** ARGV: expiresAt, key TTL ms, ids... Only members that still exist are pushed back (ZADD XX). */
const REFRESH = script(`
for i = 3, #ARGV do redis.call('ZADD', KEYS[2], 'XX', ARGV[1], ARGV[i]) end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1
`);

/** ARGV: channel, ids... */
const LEAVE = script(`
local removed = 0
for i = 2, #ARGV do removed = removed + redis.call('ZREM', KEYS[2], ARGV[i]) end
redis.call('HDEL', KEYS[1], unpack(ARGV, 2))
if removed > 0 then redis.call('PUBLISH', ARGV[1], 'leave') end
return removed
`);

/** ARGV: now, channel. Drops expired members (telling the other instances) and returns the live ones' JSON. */
const LIST = script(`
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if #gone > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
  redis.call('HDEL', KEYS[1], unpack(gone))
  redis.call('PUBLISH', ARGV[2], 'expire')
end
local ids = redis.call('ZRANGE', KEYS[2], 0, -1)
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[1], unpack(ids))
`);

/** What the Redis broker lends its presence. */
export interface RedisPresenceDeps {
  prefix: string;
  now: () => number;
  /** Run a script (EVALSHA, EVAL on NOSCRIPT) with the broker's timeout and errors. */
  run(script: RedisScript, keys: string[], args: string[]): Promise<unknown>;
  /** The broker's SUBSCRIBE connection. */
  subscriber(): Promise<RedisClientLike>;
  /** The broker's command timeout around a promise. */
  withTimeout<T>(promise: Promise<T>): Promise<T>;
}

/**
 * {@link BrokerPresence} on Redis: per topic a hash of members and a sorted set of their expiry times (Redis
 * 7.0 has no per-field TTL), both expiring as a whole when nobody refreshes them, and a Pub/Sub channel that
 * tells every instance about joins, leaves and expiries. All changes are Lua scripts (atomic; the member
 * limit holds across instances).
 */
export function createRedisPresence(deps: RedisPresenceDeps): BrokerPresence {
  const keysOf = (topic: string) => {
    const base = `${deps.prefix}{${topic}}`;
    return { keys: [`${base}:p`, `${base}:pe`], channel: `${base}:presence` };
  };
  // The sets outlive their members a little, so a refresh racing an expiry still finds them.
  const keyTtl = (ttlMs: number) => String(Math.max(1000, Math.ceil(ttlMs * 2)));
  return {
    async join(topic, member, { ttlMs, max }) {
      const { keys, channel } = keysOf(topic);
      const at = deps.now();
      const reply = await deps.run(JOIN, keys, [member.id, JSON.stringify(member), String(at + ttlMs), String(at), String(max), keyTtl(ttlMs), channel]);
      return Number(reply) === 1;
    },
    async refresh(topic, ids, ttlMs) {
      if (ids.length === 0) return;
      await deps.run(REFRESH, keysOf(topic).keys, [String(deps.now() + ttlMs), keyTtl(ttlMs), ...ids]);
    },
    async leave(topic, ids) {
      if (ids.length === 0) return;
      const { keys, channel } = keysOf(topic);
      await deps.run(LEAVE, keys, [channel, ...ids]);
    },
    async list(topic) {
      const { keys, channel } = keysOf(topic);
      const reply = (await deps.run(LIST, keys, [String(deps.now()), channel])) as (string | null)[];
      return reply.filter((json): json is string => typeof json === 'string').map((json) => JSON.parse(json) as PresenceMember);
    },
    async watch(topic, onChange) {
      const { channel } = keysOf(topic);
      const listener = () => onChange();
      const sub = await deps.withTimeout(deps.subscriber());
      await deps.withTimeout(sub.subscribe(channel, listener));
      return () => void sub.unsubscribe(channel, listener).catch(() => undefined);
    },
  };
}
