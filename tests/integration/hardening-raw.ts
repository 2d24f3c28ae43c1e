import { connect } from 'node:net';

/** A raw HTTP exchange's answer: status (0 when the connection closed without one), headers and body. */
export interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/**
 * Send `request` as raw bytes (nothing validated on the client side: bad `Host`, bad targets, odd methods)
 * and read until the server closes or `until` matches what arrived. Bounded by `timeoutMs`.
 */
export function rawRequest(port: number, request: string | Buffer, until: (text: string) => boolean = () => false, timeoutMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), head, body: split < 0 ? '' : text.slice(split + 4) });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (until(text)) finish();
    });
    socket.write(request);
  });
}

/** The answer is complete: a whole body by `content-length`, or the head of a stream (SSE). */
export const completeBody = (text: string): boolean => {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return false;
  if (/content-type: text\/event-stream/i.test(text.slice(0, split))) return true;
  const length = /content-length: (\d+)/i.exec(text)?.[1];
  return length !== undefined && Buffer.byteLength(text.slice(split + 4), 'latin1') >= Number(length);
};

/** A masked client->server WebSocket text frame (all-zero mask, so the payload goes as is), any length. */
export function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x81, 0x80 | length])
      : length < 65536
        ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x81, 0x80 | 127, 0, 0, 0, 0]), Buffer.from([(length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff])]);
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}

/** The opening handshake of a raw WebSocket upgrade on `path`. */
export const upgradeRequest = (path = '/realtime/ws', host = 'x', extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;
