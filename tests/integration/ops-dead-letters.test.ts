import type { TransportName } from '@qwik-realtime/core';
import { createFetchHandler, createMemoryBroker } from '@qwik-realtime/server';
import type { Broker, DeadLetter, HubOptions, Principal } from '@qwik-realtime/server';
import { qwikCityHandlers } from '@qwik-realtime/server/qwik-city';
import { afterEach, describe, expect, test } from 'vitest';
import { fastClient, until } from './client-fixtures.js';
import { openWs, publishHttp, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

// The hub's clock, frozen: letters carry it as `at`, and a topic bucket of one token stays empty.
const clock = 1_000_000;
const MAX_MESSAGE_BYTES = 1024;
const DEAD_LETTERS = 'dead-letters';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Who = Principal & { id: string };
const principals: Record<string, Who> = { good: { id: 'u1' }, old: { id: 'u2', expiresAt: 1 } };

/** A memory broker whose publish fails on topics starting with `down` (or on every topic when `allDown`). */
function flakyBroker(allDown = false): Broker {
  const memory = createMemoryBroker();
  return {
    publish: (topic, message) => (allDown || topic.startsWith('down') ? Promise.reject(new Error('broker down')) : memory.publish(topic, message)),
    subscribe: (topic, listener) => memory.subscribe(topic, listener),
    history: (topic, query) => memory.history(topic, query),
    close: () => memory.close(),
  };
}

interface Setup {
  server: TestHubServer<Who>;
  letters: DeadLetter[];
  errors: unknown[];
}

async function setup(options: HubOptions<Who> = {}): Promise<Setup> {
  const letters: DeadLetter[] = [];
  const errors: unknown[] = [];
  const server = await startHubServer<Who>({
    now: () => clock,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    topicPublishesPerSecond: 1,
    topicPublishBurst: 1,
    deadLetterTopic: DEAD_LETTERS,
    broker: flakyBroker(),
    authenticate: ({ token }) => (token === undefined ? null : (principals[token] ?? null)),
    authorize: (_principal, action, topic) => action === 'subscribe' || !topic.startsWith('private'),
    onDeadLetter: (letter) => letters.push(letter),
    onError: (error) => errors.push(error),
    ...options,
  });
  cleanups.push(() => server.close());
  return { server, letters, errors };
}

type Path = 'ws' | 'http' | 'fetch' | 'qwik-city' | 'server';
/** A publish as sent: an object body, or raw body text (HTTP paths). `data: undefined` leaves it out. */
type Body = { topic: string; data?: unknown } | string;

const request = (body: Body, token?: string) =>
  new Request('http://app.test/realtime/publish', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const codeOf = async (response: Response) => (response.ok ? 'ok' : ((await response.json()) as { code: string }).code);

/** Publish on one path; resolves with `ok` or the error code the publisher got. */
async function send({ server }: Setup, path: Path, body: Body, token?: string): Promise<string> {
  if (typeof body === 'string' && (path === 'ws' || path === 'server')) throw new Error(`raw bodies are for HTTP paths, not ${path}`);
  const { topic, data } = body as Exclude<Body, string>;
  switch (path) {
    case 'ws': {
      const ws = await openWs(server.wsUrl, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      cleanups.push(() => ws.close());
      if (token) expect((await ws.frames.take()).type).toBe('hello');
      ws.send({ type: 'publish', ref: 'r', topic, data });
      const frame = await Promise.race([ws.frames.take(), ws.closed.then(() => ({ type: 'closed' }))]);
      return frame.type === 'ack' ? 'ok' : (frame.code ?? frame.type);
    }
    case 'http': {
      const answer = await publishHttp(server.base, body, token ? { authorization: `Bearer ${token}` } : {});
      return answer.status === 200 ? 'ok' : answer.body.code;
    }
    case 'fetch':
      return codeOf((await createFetchHandler(server.hub)(request(body, token)))!);
    case 'qwik-city': {
      const { onPost } = qwikCityHandlers(server.hub);
      const response = await new Promise<Response>((resolve) => void onPost({ request: request(body, token), send: resolve, clientConn: { ip: '10.0.0.1' } }));
      return codeOf(response);
    }
    case 'server':
      return server.hub.publish(topic, data).then(
        () => 'ok',
        (error: { code: string }) => error.code,
      );
  }
}

const transportOf = (path: Path) => (path === 'ws' ? 'ws' : path === 'server' ? 'server' : 'http');
const ALL: Path[] = ['ws', 'http', 'fetch', 'qwik-city', 'server'];
const CLIENT: Path[] = ['ws', 'http', 'fetch', 'qwik-city'];
const HTTP: Path[] = ['http', 'fetch', 'qwik-city'];

interface Scenario {
  name: string;
  paths: Path[];
  body: Body;
  token?: string;
  /** Sent first on the same path and accepted (fills a bucket). */
  before?: Body;
  code: string;
  letter: Partial<DeadLetter>;
}

const big = 'x'.repeat(2 * MAX_MESSAGE_BYTES);
const scenarios: Scenario[] = [
  { name: 'an invalid topic', paths: ALL, body: { topic: 'bad topic!', data: 1 }, token: 'good', code: 'invalid_topic', letter: { reason: 'invalid', topic: 'bad topic!', data: 1 } },
  { name: 'a body that is not JSON', paths: HTTP, body: '{"topic": "room", data', token: 'good', code: 'bad_request', letter: { reason: 'invalid', preview: '{"topic": "room", data' } },
  { name: 'a publish without data', paths: ['ws', 'server'], body: { topic: 'room' }, token: 'good', code: 'bad_request', letter: { reason: 'invalid', topic: 'room' } },
  { name: 'data over maxMessageBytes', paths: ALL, body: { topic: 'room', data: big }, token: 'good', code: 'message_too_large', letter: { reason: 'oversize', topic: 'room', preview: JSON.stringify(big).slice(0, 1024) } },
  { name: 'no credentials', paths: CLIENT, body: { topic: 'room', data: 1 }, code: 'unauthorized', letter: { reason: 'unauthorized', topic: 'room', data: 1 } },
  { name: 'a forbidden topic', paths: CLIENT, body: { topic: 'private', data: 1 }, token: 'good', code: 'forbidden', letter: { reason: 'unauthorized', topic: 'private', data: 1 } },
  { name: 'an expired token', paths: HTTP, body: { topic: 'room', data: 1 }, token: 'old', code: 'token_expired', letter: { reason: 'unauthorized', topic: 'room', data: 1 } },
  { name: 'a topic over its rate', paths: CLIENT, before: { topic: 'hot', data: 0 }, body: { topic: 'hot', data: 1 }, token: 'good', code: 'rate_limited', letter: { reason: 'rate_limited', topic: 'hot', data: 1 } },
  { name: 'a failing broker', paths: ALL, body: { topic: 'down', data: 1 }, token: 'good', code: 'broker_unavailable', letter: { reason: 'broker_unavailable', topic: 'down', data: 1 } },
];
const cases = scenarios.flatMap((scenario) => scenario.paths.map((path) => ({ ...scenario, path })));

describe('every rejected publish is a dead letter', () => {
  test.each(cases)('GIVEN $name WHEN published on $path THEN the publisher gets $code and one letter goes to the hook, the counts and the dead-letter topic', async (scenario) => {
    const setup_ = await setup();
    if (scenario.before) expect(await send(setup_, scenario.path, scenario.before, scenario.token)).toBe('ok');
    expect(await send(setup_, scenario.path, scenario.body, scenario.token)).toBe(scenario.code);

    const { letters, server } = setup_;
    await until(() => letters.length > 0, 'the letter');
    expect(letters).toHaveLength(1);
    const letter = letters[0]!;
    expect(letter).toMatchObject({ ...scenario.letter, code: scenario.code, transport: transportOf(scenario.path), at: clock });
    if (scenario.letter.data === undefined) expect(letter).not.toHaveProperty('data');
    const signedIn = scenario.path !== 'server' && scenario.token === 'good';
    expect(letter.principalId).toBe(signedIn ? 'u1' : undefined);
    expect(server.hub.stats().deadLetters).toEqual({ [scenario.letter.reason!]: 1 });

    const stored = async () => (await server.hub.options.broker.history(DEAD_LETTERS, { last: 10 })).messages;
    await until(() => true, 'a turn');
    await expect.poll(async () => (await stored()).length).toBe(1);
    // The topic's copy is the same letter within maxMessageBytes: a long preview is cut to fit.
    const { preview, ...published } = (await stored())[0]!.data as DeadLetter;
    const { preview: fullPreview, ...expected } = JSON.parse(JSON.stringify(letter)) as DeadLetter;
    expect(published).toEqual(expected);
    if (fullPreview !== undefined) expect(fullPreview.startsWith(preview!)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify((await stored())[0]!.data))).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });
});

describe('the dead-letter sink', () => {
  test('GIVEN a hook that throws WHEN a publish is rejected THEN onError gets the throw; the count, the topic and the publisher answer are unchanged', async () => {
    const boom = new Error('hook failed');
    const { server, errors } = await setup({ onDeadLetter: () => { throw boom; } });
    expect(await send({ server, errors, letters: [] }, 'http', { topic: 'private', data: 1 }, 'good')).toBe('forbidden');
    expect(errors).toContain(boom);
    expect(server.hub.stats().deadLetters).toEqual({ unauthorized: 1 });
    await expect.poll(async () => (await server.hub.options.broker.history(DEAD_LETTERS, { last: 10 })).messages.length).toBe(1);
  });

  test('GIVEN a broker that is down for every topic WHEN a publish fails THEN one letter, and its failed republish goes to onError, not to another letter', async () => {
    const setup_ = await setup({ broker: flakyBroker(true) });
    expect(await send(setup_, 'http', { topic: 'room', data: 1 }, 'good')).toBe('broker_unavailable');
    await until(() => setup_.errors.length > 0, 'the dead-letter publish failure');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(setup_.letters).toHaveLength(1);
    expect(setup_.server.hub.stats().deadLetters).toEqual({ broker_unavailable: 1 });
    expect(String(setup_.errors[0])).toContain('broker down');
  });

  test('GIVEN a rejected publish whose letter would pass maxMessageBytes THEN the topic gets it with a preview cut to fit instead of data', async () => {
    const setup_ = await setup();
    const data = 'y'.repeat(MAX_MESSAGE_BYTES - 10);
    expect(await send(setup_, 'ws', { topic: 'private', data }, 'good')).toBe('forbidden');
    expect(setup_.letters[0]!.data).toBe(data);
    await expect.poll(async () => (await setup_.server.hub.options.broker.history(DEAD_LETTERS, { last: 1 })).messages.length).toBe(1);
    const [stored] = (await setup_.server.hub.options.broker.history(DEAD_LETTERS, { last: 1 })).messages;
    expect(stored!.data).not.toHaveProperty('data');
    expect(JSON.stringify(data).startsWith((stored!.data as DeadLetter).preview!)).toBe(true);
    expect((stored!.data as DeadLetter).preview!.length).toBeGreaterThan(MAX_MESSAGE_BYTES / 2);
    expect(Buffer.byteLength(JSON.stringify(stored!.data))).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  test('GIVEN a closed hub WHEN a client or the server publishes THEN server_shutdown, and the letters say unavailable', async () => {
    const setup_ = await setup();
    await setup_.server.hub.close();
    expect(await send(setup_, 'http', { topic: 'room', data: 1 }, 'good')).toBe('server_shutdown');
    expect(await send(setup_, 'server', { topic: 'room', data: 2 })).toBe('server_shutdown');
    expect(setup_.letters.map((letter) => [letter.reason, letter.code, letter.transport])).toEqual([
      ['unavailable', 'server_shutdown', 'http'],
      ['unavailable', 'server_shutdown', 'server'],
    ]);
    expect(setup_.server.hub.stats().deadLetters).toEqual({ unavailable: 2 });
  });

  test('GIVEN a client WHEN it publishes on the dead-letter topic THEN forbidden (only the hub writes there)', async () => {
    const setup_ = await setup();
    expect(await send(setup_, 'ws', { topic: DEAD_LETTERS, data: 'forged' }, 'good')).toBe('forbidden');
    expect(await send(setup_, 'http', { topic: DEAD_LETTERS, data: 'forged' }, 'good')).toBe('forbidden');
    expect(setup_.letters.map((letter) => letter.code)).toEqual(['forbidden', 'forbidden']);
  });

  test('GIVEN a WebSocket frame over the frame limit THEN the connection closes with message_too_large and the letter keeps the frame head', async () => {
    const setup_ = await setup();
    const ws = await openWs(setup_.server.wsUrl, { headers: { authorization: 'Bearer good' } });
    cleanups.push(() => ws.close());
    expect((await ws.frames.take()).type).toBe('hello');
    const frame = JSON.stringify({ type: 'publish', ref: 'r', topic: 'room', data: 'z'.repeat(MAX_MESSAGE_BYTES + 5000) });
    ws.send(frame);
    expect((await ws.closed).code).toBe(3503);
    expect(setup_.letters).toHaveLength(1);
    expect(setup_.letters[0]).toMatchObject({ reason: 'oversize', code: 'message_too_large', transport: 'ws', principalId: 'u1', preview: frame.slice(0, 1024) });
  });
});

describe('GIVEN the real core client', () => {
  test.each(['websocket', 'sse', 'fetch-sse', 'long-poll'] as TransportName[])('%s: a forbidden publish rejects and leaves a letter of its transport', async (name) => {
    const setup_ = await setup({ authenticate: () => principals.good!, allowQueryToken: true });
    const client = fastClient(name, setup_.server.base, { publishRetries: 0 });
    cleanups.push(() => client.close());
    const live = client.subscribe('room', {});
    await until(() => live.state().status === 'live', 'room live');
    await expect(client.publish('private', { n: 1 })).rejects.toMatchObject({ code: 'forbidden' });
    expect(setup_.letters).toEqual([
      expect.objectContaining({ reason: 'unauthorized', code: 'forbidden', topic: 'private', data: { n: 1 }, principalId: 'u1', transport: name === 'websocket' ? 'ws' : 'http' }),
    ]);
  });
});
