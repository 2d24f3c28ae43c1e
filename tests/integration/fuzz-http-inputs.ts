/**
 * fast-check arbitraries for raw HTTP fuzz requests: SSE and long-poll query strings and headers
 * (`Host`, `Last-Event-ID`, `Authorization`, cursors), `POST /publish` bodies, and requests whose only
 * oddity is the `Host` header (every endpoint). Requests are written byte for byte by `fuzz-raw-http.ts`,
 * so a `Host` no `fetch` would send reaches the server.
 */
import fc from 'fast-check';
import { cursor, jsonValue, NARROWED, token, topicName, touchesHonest } from './fuzz-values.js';

/** Which input class a request belongs to. */
export type HttpKind = 'sse' | 'poll' | 'publish' | 'presence' | 'host';

/** `Host` placeholders replaced when the request is written. */
export const VALID_HOST = '\u0000valid';
export const NO_HOST = '\u0000omit';

/** One raw request. */
export interface RawHttpRequest {
  kind: HttpKind;
  method: string;
  /** Path and query exactly as written on the request line. */
  target: string;
  host: string;
  headers: [string, string][];
  body?: string;
  /** Send the body with `Transfer-Encoding: chunked` (no declared length) instead of `Content-Length`. */
  chunked?: boolean;
}

/** Percent-encode the UTF-8 bytes of `value` (never throws, unlike `encodeURIComponent` on lone surrogates). */
const pct = (value: string) => [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');

/** Query values as written: encoded, raw (no whitespace), or with broken percent escapes. */
const written = (value: string) =>
  fc.constantFrom('pct', 'pct', 'pct', 'raw', 'broken').map((mode) => {
    if (mode === 'pct') return pct(value);
    const raw = value.replace(/[\s\u0000-\u001f\u007f]/g, '');
    return mode === 'raw' ? raw : `${raw}%${['', 'z', 'E0%A4', '0', 'ff'][raw.length % 5]}`;
  });

const numberish = fc.oneof(fc.nat({ max: 20 }).map(String), fc.constantFrom('', '-1', '1e3', '0x10', '99999999999', '3.5', 'NaN', '+1', '٣'), fc.string({ maxLength: 6 }));

const param: fc.Arbitrary<[string, string]> = fc.oneof(
  { arbitrary: fc.tuple(fc.constant('topic'), topicName), weight: 6 },
  { arbitrary: fc.tuple(fc.constantFrom('since', 'lastEventId', 'cursor'), cursor), weight: 4 },
  { arbitrary: fc.tuple(fc.constantFrom('history', 'timeout'), numberish), weight: 3 },
  { arbitrary: fc.tuple(fc.constant('token'), token), weight: 1 },
  { arbitrary: fc.tuple(fc.constantFrom('__proto__', 'constructor', 'topic[]', 'TOPIC', ''), fc.string({ maxLength: 10 })), weight: 1 },
);

const query = fc
  .array(param.chain(([name, value]) => written(value).map((v) => `${pct(name)}=${v}`)), { maxLength: 6 })
  .map((parts) => (parts.length === 0 ? '' : `?${parts.join('&')}`));

/** `Host` values: mostly the real one; otherwise spaces, brackets, ports out of range, unicode, none at all. */
export const hostHeader: fc.Arbitrary<string> = NARROWED.has('bad-host')
  ? fc.constant(VALID_HOST)
  : fc.oneof(
      { arbitrary: fc.constantFrom('a b', '', ' ', 'http://x', '[::1', '[', '%', ':::', '@', 'a/b', 'a?b', 'a#b', 'h:99999999', 'h:-1', '[fe80::1%eth0]', '..', '\\', NO_HOST), weight: 3 },
      { arbitrary: fc.string({ maxLength: 30 }), weight: 2 },
      { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 1 },
    );

const headerValue = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('\t', 'a\u0001b'));

const header: fc.Arbitrary<[string, string]> = fc.oneof(
  { arbitrary: fc.tuple(fc.constant('authorization'), fc.oneof(token.map((t) => `Bearer ${t}`), headerValue)), weight: 4 },
  { arbitrary: fc.tuple(fc.constant('last-event-id'), fc.oneof(cursor, headerValue)), weight: 4 },
  { arbitrary: fc.tuple(fc.constantFrom('cookie', 'accept', 'x-forwarded-for', 'origin', 'content-type'), headerValue), weight: 2 },
  { arbitrary: fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), headerValue), weight: 1 },
);

/** Mostly a valid credential, so requests get past `authenticate` to the parsing behind it. */
const auth = fc.oneof({ arbitrary: fc.constant<[string, string][]>([['authorization', 'Bearer good']]), weight: 3 }, { arbitrary: fc.constant<[string, string][]>([]), weight: 1 });

const method = (expected: string) => fc.oneof({ arbitrary: fc.constant(expected), weight: 12 }, { arbitrary: fc.constantFrom('PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'), weight: 1 });

/** A `GET {path}/sse` or `GET {path}/poll` request with a fuzzed query and headers. */
export function streamRequest(kind: 'sse' | 'poll', mount: string): fc.Arbitrary<RawHttpRequest> {
  return fc.record({
    kind: fc.constant(kind),
    method: method('GET'),
    target: query.map((q) => `${mount}/${kind}${q}`),
    host: fc.oneof({ arbitrary: fc.constant(VALID_HOST), weight: 12 }, { arbitrary: hostHeader, weight: 1 }),
    headers: fc.tuple(auth, fc.array(header, { maxLength: 4 })).map(([a, h]) => [...a, ...h]),
  });
}

const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 8 },
  { arbitrary: fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', '', 'application/jsonx', 'multipart/form-data'), weight: 2 },
);

/** `POST {path}/publish` bodies: right shape with junk fields, any JSON, broken JSON, oversized; sized or chunked. */
export function publishRequest(mount: string, maxMessageBytes: number, maxFrameBytes: number): fc.Arbitrary<RawHttpRequest> {
  const shaped = fc
    .record(
      {
        topic: fc.oneof({ arbitrary: topicName, weight: 5 }, { arbitrary: jsonValue, weight: 1 }),
        data: fc.oneof({ arbitrary: jsonValue, weight: 5 }, { arbitrary: fc.integer({ min: maxMessageBytes - 8, max: maxMessageBytes + 64 }).map((n) => 'x'.repeat(n)), weight: 1 }),
        id: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(''), fc.constant('i'.repeat(129)), fc.integer(), fc.constant(null)),
      },
      { requiredKeys: [] },
    )
    .filter((body) => !touchesHonest(body.topic))
    .map((body) => JSON.stringify(body));
  const body = fc.oneof(
    { arbitrary: shaped, weight: 8 },
    { arbitrary: jsonValue.map((v) => JSON.stringify(v)), weight: 2 },
    { arbitrary: fc.string({ maxLength: 60 }), weight: 1 },
    {
      arbitrary: fc.constantFrom('', '{', 'null', '[]', '"x"', '{"topic":"fz/a"}', '{"__proto__":{"topic":"fz/a","data":1}}', '{"topic":"constructor","data":1}', '{"topic":"__proto__","data":1}', '{"topic":"fz/a","data":1,"id":{"a":1}}'),
      weight: 2,
    },
    { arbitrary: fc.integer({ min: maxFrameBytes, max: maxFrameBytes * 2 }).map((n) => JSON.stringify({ topic: 'fz/big', data: 'x'.repeat(n) })), weight: 1 },
  );
  return fc.record({
    kind: fc.constant<HttpKind>('publish'),
    method: method('POST'),
    target: fc.constant(`${mount}/publish`),
    host: fc.oneof({ arbitrary: fc.constant(VALID_HOST), weight: 12 }, { arbitrary: hostHeader, weight: 1 }),
    headers: fc.tuple(auth, contentType, fc.array(header, { maxLength: 2 })).map(([a, type, h]) => [...a, ['content-type', type] as [string, string], ...h]),
    body,
    chunked: fc.boolean(),
  });
}

/**
 * `POST {path}/presence` bodies: joins and leaves with junk actions, unknown / prototype-key connection ids,
 * data up to past the 1 KiB member limit, `poll` of any type, any JSON, broken JSON.
 */
export function presenceRequest(mount: string): fc.Arbitrary<RawHttpRequest> {
  const shaped = fc
    .record(
      {
        action: fc.oneof({ arbitrary: fc.constantFrom('join', 'leave'), weight: 6 }, { arbitrary: fc.constantFrom('JOIN', '', '__proto__', 'constructor'), weight: 1 }, { arbitrary: jsonValue, weight: 1 }),
        topic: fc.oneof({ arbitrary: topicName, weight: 5 }, { arbitrary: jsonValue, weight: 1 }),
        connectionId: fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constantFrom('', '__proto__', 'constructor', 'toString', 'c'.repeat(10_000)), jsonValue),
        data: fc.oneof({ arbitrary: jsonValue, weight: 5 }, { arbitrary: fc.integer({ min: 1000, max: 1100 }).map((n) => 'x'.repeat(n)), weight: 1 }),
        poll: fc.oneof(fc.boolean(), jsonValue),
      },
      { requiredKeys: [] },
    )
    .filter((body) => !touchesHonest(body.topic))
    .map((body) => JSON.stringify(body));
  const body = fc.oneof(
    { arbitrary: shaped, weight: 8 },
    { arbitrary: jsonValue.map((v) => JSON.stringify(v)), weight: 1 },
    { arbitrary: fc.constantFrom('', '{', 'null', '[]', '{"__proto__":{"action":"join","topic":"fz/p","poll":true}}'), weight: 1 },
  );
  return fc.record({
    kind: fc.constant<HttpKind>('presence'),
    method: method('POST'),
    target: fc.constant(`${mount}/presence`),
    host: fc.constant(VALID_HOST),
    headers: fc.tuple(auth, contentType).map(([a, type]) => [...a, ['content-type', type] as [string, string]]),
    body,
    chunked: fc.boolean(),
  });
}

/** Any endpoint (and one outside the mount) with a fuzzed `Host`: every entry point must answer. */
export function hostRequest(mount: string): fc.Arbitrary<RawHttpRequest> {
  return fc.record({
    kind: fc.constant<HttpKind>('host'),
    method: fc.constantFrom('GET', 'POST'),
    target: fc.constantFrom(`${mount}/sse?topic=fz/h`, `${mount}/poll?topic=fz/h`, `${mount}/poll?topic=fz/h&cursor=e;fz/h=0`, `${mount}/publish`, `${mount}/ws`, `${mount}/sse`, '/elsewhere'),
    host: hostHeader,
    headers: fc.constant<[string, string][]>([['authorization', 'Bearer good'], ['content-type', 'application/json']]),
    body: fc.constant(JSON.stringify({ topic: 'fz/h', data: 1 })),
  });
}
