import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGate } from './gate';

describe('createGate', () => {
  const servers: ReturnType<typeof createServer>[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const openWhileServing: number[] = [];
  const serve = async (gate: ReturnType<typeof createGate>) => {
    const server = createServer((req, res) => {
      if (!gate.http(req, res)) return;
      openWhileServing.push(gate.counts().sse);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;');
      res.end('second');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  const get = (url: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      request(url, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });

  it('GIVEN the server is down WHEN a hub request comes THEN it gets 503 server_shutdown and the hub never sees it', async () => {
    const gate = createGate('/realtime');
    const url = await serve(gate);
    gate.setFaults({ down: true });
    const answer = await get(`${url}/realtime/sse?topic=a`);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'server_shutdown' });
  });

  it('GIVEN an SSE request WHEN it completes THEN the gate counted it open and then closed', async () => {
    const gate = createGate('/realtime');
    const url = await serve(gate);
    const answer = await get(`${url}/realtime/sse?topic=a`);
    expect(answer).toEqual({ status: 200, body: 'first;second' });
    expect(openWhileServing.at(-1)).toBe(1);
    expect(gate.counts()).toEqual({ sse: 0, ws: 0, poll: 0 });
  });
});
