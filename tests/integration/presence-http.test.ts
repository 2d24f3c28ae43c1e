import { afterEach, describe, expect, test } from 'vitest';
import { openSse, startHubServer } from './helpers/index.js';
import type { SseStream, TestHubServer } from './helpers/index.js';

let server: TestHubServer<any>;
const streams: SseStream[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await server?.close();
});
const authenticate = ({ token }: { token?: string }) => (token ? { id: token } : null);
const post = async (body: unknown, token = 'ann') => {
  const response = await fetch(`${server.base}/presence`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
};
const stream = async (token: string) => {
  const sse = await openSse(`${server.base}/sse?topic=room`, { headers: { authorization: `Bearer ${token}` } });
  streams.push(sse);
  const hello = await sse.events.take((event) => event.event === 'hello');
  return { sse, id: JSON.parse(hello.data).connectionId as string };
};

describe('POST /presence', () => {
  test('GIVEN an SSE stream WHEN its owner joins over HTTP THEN the answer and the stream carry the list; another principal or an unknown stream is refused', async () => {
    server = await startHubServer({ authenticate });
    const ann = await stream('ann');
    const joined = await post({ action: 'join', topic: 'room', connectionId: ann.id, data: { name: 'Ann' } });
    expect(joined).toMatchObject({ status: 200, body: { type: 'presence', kind: 'sync', members: [{ id: ann.id, principal: 'ann', data: { name: 'Ann' } }] } });
    const event = await ann.sse.events.take((each) => each.event === 'presence');
    expect(JSON.parse(event.data)).toMatchObject({ kind: 'sync', members: [{ id: ann.id }] });
    expect(await post({ action: 'join', topic: 'room', connectionId: ann.id }, 'bob')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await post({ action: 'join', topic: 'room', connectionId: 'no-such-stream' })).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect(await post({ action: 'wave', topic: 'room', connectionId: ann.id })).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect(await post({ action: 'join', topic: 'bad topic', connectionId: ann.id })).toMatchObject({ status: 400, body: { code: 'invalid_topic' } });
    expect(await post({ action: 'join', topic: 'room', connectionId: ann.id, data: 'x'.repeat(2000) })).toMatchObject({ status: 413, body: { code: 'message_too_large' } });
  });

  test('GIVEN a long-poll member WHEN another principal reuses its id THEN forbidden; its own leave removes it', async () => {
    server = await startHubServer({ authenticate });
    expect(await post({ action: 'join', topic: 'room', connectionId: 'poll-1', poll: true, data: 1 })).toMatchObject({ status: 200, body: { kind: 'sync', members: [{ id: 'poll-1', principal: 'ann', data: 1 }] } });
    expect(await post({ action: 'join', topic: 'room', connectionId: 'poll-1', poll: true }, 'bob')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await post({ action: 'leave', topic: 'room', connectionId: 'poll-1', poll: true }, 'bob')).toMatchObject({ status: 403 });
    expect(await post({ action: 'leave', topic: 'room', connectionId: 'poll-1', poll: true })).toMatchObject({ status: 200, body: { kind: 'leave', members: [{ id: 'poll-1' }] } });
    expect(await post({ action: 'join', topic: 'room', connectionId: 'poll-2', poll: true }, 'bob')).toMatchObject({ status: 200, body: { members: [{ id: 'poll-2' }] } });
  });

  test('GIVEN a small request budget WHEN a client floods POST /presence THEN it gets 429 rate_limited with retryAfterMs', async () => {
    server = await startHubServer({ authenticate, inboundFramesPerSecond: 1, inboundFrameBurst: 2 });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await post({ action: 'join', topic: 'room', connectionId: 'poll-1', poll: true }));
    expect(answers.map((answer) => answer.status)).toContain(429);
    expect(answers.find((answer) => answer.status === 429)?.body).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
  });
});
