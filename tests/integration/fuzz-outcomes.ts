/**
 * The property every fuzz input must satisfy: it got an answer, and the answer is documented
 * (docs/protocol.md, "Error codes and close codes"; built from `CLOSE_CODES` / `HTTP_STATUS`, the source of
 * that table). Each check returns a violation (a short description) or `undefined`.
 */
import { CLOSE_CODES, HTTP_STATUS } from '@qwik-realtime/core/protocol';
import type { ErrorCode } from '@qwik-realtime/core/protocol';
import type { RawHttpRequest } from './fuzz-http-inputs.js';
import type { HttpOutcome } from './fuzz-raw-http.js';
import type { WsOutcome } from './fuzz-raw-ws.js';
import type { WsSession } from './fuzz-ws-inputs.js';
import { TOKENS } from './fuzz-hub.js';

const ERROR_CODES = new Set(Object.keys(CLOSE_CODES) as ErrorCode[]);
const CLOSE_CODE_VALUES = new Set<number>(Object.values(CLOSE_CODES));
const DOCUMENTED_STATUSES = new Set<number>(Object.values(HTTP_STATUS));
const SERVER_FRAME_TYPES = new Set(['hello', 'subscribed', 'unsubscribed', 'message', 'ack', 'error', 'ping', 'pong', 'presence']);

/** `internal` is documented, but only a throwing `authenticate` (the `throw` token) may cause it here. */
const mayBeInternal = (text: string) => text.includes(TOKENS.throws);

/** A JSON `ErrorBody` whose code is documented for `status`. */
function checkErrorBody(status: number, outcome: HttpOutcome, internalOk: boolean): string | undefined {
  let body: { code?: unknown };
  try {
    body = JSON.parse(outcome.body) as { code?: unknown };
  } catch {
    return `${status} with a body that is not JSON: ${outcome.body.slice(0, 80)}`;
  }
  const code = body.code as ErrorCode;
  if (!ERROR_CODES.has(code)) return `${status} with undocumented code ${JSON.stringify(body.code)}`;
  if (HTTP_STATUS[code] !== status) return `${status} with code ${code} (documented as ${HTTP_STATUS[code]})`;
  if (code === 'internal' && !internalOk) return `500 internal without a throwing hook`;
  return undefined;
}

/** Judge one raw HTTP answer. */
export function checkHttp(request: RawHttpRequest, outcome: HttpOutcome): string | undefined {
  const { status } = outcome;
  if (status === null) return outcome.error ?? 'no answer';
  const type = outcome.headers['content-type'] ?? '';
  const path = request.target.split('?', 1)[0] ?? '';
  const endpoint = path.split('/').at(-1);
  // Node's own HTTP parser refuses what is not HTTP (a control character in a header, a missing Host)
  // with a bare `400 Bad Request` before any handler runs.
  if (status === 400 && type === '') return undefined;
  // docs/server.md (createNodeHandler): 404 outside the mount path, 426 for `{path}/ws` without an upgrade.
  if (path === '/elsewhere') return status === 404 ? undefined : `${status} outside the mount path`;
  if (endpoint === 'ws' && status === 426) return undefined;
  if (status === 200) {
    if (endpoint === 'sse') return type.startsWith('text/event-stream') ? undefined : `200 on sse with content-type ${type}`;
    if (endpoint === 'publish' && request.method === 'POST') return type.startsWith('application/json') && outcome.body.includes('"offset"') ? undefined : `200 publish without an ack`;
    if (endpoint === 'presence' && request.method === 'POST') return type.startsWith('application/json') && outcome.body.includes('"type":"presence"') ? undefined : `200 presence without a presence answer`;
    if (endpoint === 'poll') return type.startsWith('application/json') && outcome.body.includes('"cursor"') ? undefined : `200 poll without a PollResponse`;
    return `200 on ${request.method} ${path}`;
  }
  if (status === 204) return endpoint === 'sse' || endpoint === 'poll' ? undefined : `204 on ${path}`;
  if (!type.startsWith('application/json')) return `${status} without a JSON ErrorBody (content-type ${JSON.stringify(type)})`;
  // A HEAD answer has no body to read the code from: its status must still be a documented one.
  if (request.method === 'HEAD') return DOCUMENTED_STATUSES.has(status) ? undefined : `HEAD answered ${status}`;
  return checkErrorBody(status, outcome, mayBeInternal(request.target + JSON.stringify(request.headers)));
}

/** Judge one WebSocket session; `maxFrameBytes` is the hub's frame limit. */
export function checkWs(session: WsSession, outcome: WsOutcome, maxFrameBytes: number): string | undefined {
  const internalOk = mayBeInternal(JSON.stringify(session));
  if (outcome.refused) {
    const { status, body } = outcome.refused;
    return checkErrorBody(status, { status, headers: {}, body }, internalOk);
  }
  for (const raw of outcome.frames) {
    let frame: { type?: unknown; code?: unknown };
    try {
      frame = JSON.parse(raw) as typeof frame;
    } catch {
      return `a server frame that is not JSON: ${raw.slice(0, 80)}`;
    }
    if (!SERVER_FRAME_TYPES.has(frame.type as string)) return `undocumented server frame type ${JSON.stringify(frame.type)}`;
    if (frame.type === 'error') {
      if (!ERROR_CODES.has(frame.code as ErrorCode)) return `error frame with undocumented code ${JSON.stringify(frame.code)}`;
      if (frame.code === 'internal' && !internalOk) return 'internal error frame without a throwing hook';
    }
  }
  if (outcome.answered) return unansweredPublish(session, outcome);
  if (!outcome.close) return outcome.error ?? 'neither answered nor closed';
  const { code } = outcome.close;
  // docs/protocol.md: frames over twice the frame limit are stopped by the WebSocket library with 1009.
  if (code === 1009) return session.frames.some((f) => f.kind === 'text' && Buffer.byteLength(f.text) > 2 * maxFrameBytes) ? undefined : '1009 without an oversized frame';
  if (!CLOSE_CODE_VALUES.has(code)) return `undocumented close code ${code} ${outcome.close.reason}`;
  if (code === CLOSE_CODES.internal && !internalOk) return 'close internal without a throwing hook';
  return undefined;
}

const refOf = (text: string): { type?: unknown; ref?: unknown } | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as { type?: unknown; ref?: unknown }) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * On a connection that outlived its frames (frames are handled in order, the sentinel last), every
 * `publish` with a string `ref` got an `ack` or an `error` with that ref (docs/protocol.md, WebSocket).
 */
function unansweredPublish(session: WsSession, outcome: WsOutcome): string | undefined {
  const answers = new Map<string, number>();
  for (const raw of outcome.frames) {
    const frame = refOf(raw);
    if ((frame?.type === 'ack' || frame?.type === 'error') && typeof frame.ref === 'string') answers.set(frame.ref, (answers.get(frame.ref) ?? 0) + 1);
  }
  for (const sent of session.frames) {
    const frame = sent.kind === 'text' ? refOf(sent.text) : undefined;
    if (frame?.type !== 'publish' || typeof frame.ref !== 'string') continue;
    const left = answers.get(frame.ref) ?? 0;
    if (left === 0) return `publish with ref ${JSON.stringify(frame.ref)} got neither ack nor error`;
    answers.set(frame.ref, left - 1);
  }
  return undefined;
}
