import { createHub } from '@qwik-realtime/server';
import { qwikCityHandlers } from '@qwik-realtime/server/qwik-city';
import type { RequestEventLike } from '@qwik-realtime/server/qwik-city';
import { afterEach, expect, test } from 'vitest';

const hub = createHub();
afterEach(() => undefined);

/** A minimal Qwik City RequestEvent: a real Request and a `send(response)` that captures the Response. */
function requestEvent(request: Request): RequestEventLike & { response: Promise<Response> } {
  let resolve!: (response: Response) => void;
  const response = new Promise<Response>((r) => (resolve = r));
  return { request, send: resolve, response };
}

async function* sseEvents(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data) yield { event: /^event: (.*)$/m.exec(block)?.[1] ?? 'message', data: JSON.parse(data) };
    }
  }
}

test('GIVEN the catch-all route handlers THEN onGet streams SSE and onPost publishes into it; other paths fall through', async () => {
  const { onGet, onPost } = qwikCityHandlers(hub);
  const abort = new AbortController();
  const get = requestEvent(new Request('http://app.test/realtime/sse?topic=qc', { signal: abort.signal }));
  await onGet(get);
  const sse = await get.response;
  expect(sse.status).toBe(200);
  expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
  expect(sse.headers.get('x-accel-buffering')).toBe('no');
  const events = sseEvents(sse.body!);
  expect((await events.next()).value).toMatchObject({ event: 'hello' });
  expect((await events.next()).value).toMatchObject({ event: 'subscribed', data: { topic: 'qc' } });

  const post = requestEvent(
    new Request('http://app.test/realtime/publish', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'qc', data: { hi: 1 } }) }),
  );
  await onPost(post);
  const ack = await post.response;
  expect(ack.status).toBe(200);
  expect(await ack.json()).toMatchObject({ topic: 'qc', offset: 1 });
  expect((await events.next()).value).toMatchObject({ event: 'message', data: { topic: 'qc', data: { hi: 1 } } });

  expect(hub.stats().connections.sse).toBe(1);
  abort.abort();
  await events.return(undefined);
  await expect.poll(() => hub.stats().connections.sse).toBe(0);

  let sent = false;
  await onGet({ request: new Request('http://app.test/realtime/other'), send: () => (sent = true) });
  expect(sent).toBe(false);
  await hub.close();
});

test('GIVEN a web-stream SSE response nobody reads THEN it is cut as a slow consumer once its queue passes maxBufferedBytes', async () => {
  const small = createHub({ maxBufferedBytes: 64 * 1024 });
  const { onGet } = qwikCityHandlers(small);
  const get = requestEvent(new Request('http://app.test/realtime/sse?topic=q'));
  await onGet(get);
  const response = await get.response;
  expect(small.stats().connections.sse).toBe(1);
  let published = 0;
  while (small.stats().connections.sse > 0 && published < 100) {
    await small.publish('q', 'x'.repeat(4096));
    published++;
  }
  expect(small.stats().connections.sse).toBe(0);
  expect(published).toBeLessThanOrEqual(17);
  await expect(response.body!.getReader().read()).rejects.toThrow(/stream cut/);
  await small.close();
});
