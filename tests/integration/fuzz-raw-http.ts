/**
 * Raw HTTP/1.1 over `net`: the fuzz requests are written byte for byte (a `Host: a b` that `fetch` and
 * `http.request` would refuse to send), and the answer is read just far enough to judge it: the status
 * line and headers, then the body when it has a length (an event stream is cut after its headers).
 */
import { connect } from 'node:net';
import { NO_HOST, VALID_HOST } from './fuzz-http-inputs.js';
import type { RawHttpRequest } from './fuzz-http-inputs.js';

/** What came back. `status` is null when nothing parseable did (the violation is then in `error`). */
export interface HttpOutcome {
  status: number | null;
  headers: Record<string, string>;
  body: string;
  error?: string;
}

/** The request exactly as written on the wire. */
export function wireBytes(request: RawHttpRequest, port: number): Buffer {
  const host = request.host === NO_HOST ? '' : `host: ${request.host === VALID_HOST ? `127.0.0.1:${port}` : request.host}\r\n`;
  const raw = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body, 'utf8');
  const headers = request.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  if (request.body === undefined) return Buffer.from(`${request.method} ${request.target} HTTP/1.1\r\n${host}${headers}connection: close\r\n\r\n`, 'utf8');
  if (!request.chunked) {
    return Buffer.concat([Buffer.from(`${request.method} ${request.target} HTTP/1.1\r\n${host}${headers}content-length: ${raw.length}\r\nconnection: close\r\n\r\n`, 'utf8'), raw]);
  }
  const chunks: Buffer[] = [];
  for (let at = 0; at < raw.length; at += 1000) {
    const chunk = raw.subarray(at, at + 1000);
    chunks.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  const head = `${request.method} ${request.target} HTTP/1.1\r\n${host}${headers}transfer-encoding: chunked\r\nconnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), ...chunks, Buffer.from('0\r\n\r\n')]);
}

/** Send one raw request to 127.0.0.1:`port`; resolves (never rejects) within `timeoutMs`. */
export function sendRaw(request: RawHttpRequest, port: number, timeoutMs: number): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let head: { status: number; headers: Record<string, string>; bodyStart: number } | undefined;
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const outcome: HttpOutcome = head ? { status: head.status, headers: head.headers, body: data.subarray(head.bodyStart).toString('utf8') } : { status: null, headers: {}, body: data.toString('latin1').slice(0, 200) };
      if (error && !head) outcome.error = error;
      resolve(outcome);
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('error', (error) => finish(`socket error ${(error as NodeJS.ErrnoException).code ?? error.message}`));
    socket.on('close', () => finish('connection closed without an answer'));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (!head) {
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = data.subarray(0, end).toString('latin1').split('\r\n');
        const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
        if (!match) return finish(`not an HTTP answer: ${JSON.stringify(lines[0])}`);
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        head = { status: Number(match[1]), headers, bodyStart: end + 4 };
      }
      const type = head.headers['content-type'] ?? '';
      if (type.startsWith('text/event-stream') || request.method === 'HEAD' || head.status === 204) return finish();
      const length = Number(head.headers['content-length']);
      if (Number.isFinite(length) && data.length - head.bodyStart >= length) finish();
    });
    socket.write(wireBytes(request, port));
  });
}
