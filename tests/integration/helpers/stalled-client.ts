import { connect } from 'node:net';
import type { Socket } from 'node:net';

/**
 * Raw TCP clients that send one request and then never read (their sockets stay paused): the slow consumers
 * of the slow-consumer tests. `destroyAll()` in `afterEach`.
 */
export function stalledClients() {
  const sockets: Socket[] = [];
  return {
    async open(port: number, request: string): Promise<Socket> {
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.on('error', () => undefined);
      socket.write(Buffer.from(request, 'latin1'));
      socket.pause();
      return socket;
    },
    destroyAll(): void {
      for (const socket of sockets.splice(0)) socket.destroy();
    },
  };
}

/** A client->server text frame (payload < 126 bytes) with an all-zero mask, so the payload goes as is. */
export function maskedTextFrame(text: string): string {
  return String.fromCharCode(0x81, 0x80 | text.length, 0, 0, 0, 0) + text;
}
