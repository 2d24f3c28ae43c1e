import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from './auth.js';
import { RealtimeError } from './errors.js';
import { createNodeSink, createWebSink } from './sink.js';
import type { ByteSink } from './sink.js';

/** One HTTP request/response, abstracted so the same handlers serve Node and Fetch-API servers. */
export interface HttpExchange {
  request: RequestInfo;
  /**
   * Read the body as text; rejects with `message_too_large` past `limit` bytes, and with `bad_request` when
   * it has not all arrived within `timeoutMs` (the rest is not read).
   */
  readBody(limit: number, timeoutMs: number): Promise<string>;
  /** Answer with a complete body. */
  send(status: number, headers: Record<string, string>, body: string): void;
  /** Answer with a stream. */
  stream(status: number, headers: Record<string, string>): ByteSink;
  /** `listener` runs once when the client goes away or the response ended. */
  onClose(listener: () => void): void;
  /** Rate-limit key supplied by the app (fetch / Qwik City handlers), when it gave one. */
  clientKey?: string;
}

/** The request URL before Express/Connect stripped a mount prefix (`app.use('/realtime', handler)`). */
export function originalUrl(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
}

/**
 * The URL of a Node request. A `Host` header that is not a valid host (`a b`, `[`) is replaced by
 * `localhost`: the hub routes by path only. Throws `bad_request` when even the path does not parse.
 */
export function nodeRequestUrl(req: IncomingMessage): URL {
  const path = originalUrl(req);
  if (!path.startsWith('/')) throw new RealtimeError('bad_request', 'malformed request target');
  try {
    return new URL(path, `http://${req.headers.host ?? 'localhost'}`);
  } catch {
    try {
      return new URL(path, 'http://localhost');
    } catch {
      throw new RealtimeError('bad_request', 'malformed request target');
    }
  }
}

/** Describe a Node request; throws `bad_request` for a request target that is not a URL path. */
export function nodeRequestInfo(req: IncomingMessage): RequestInfo {
  const info: RequestInfo = {
    method: req.method ?? 'GET',
    url: nodeRequestUrl(req),
    header(name) {
      const value = req.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
  if (req.socket.remoteAddress !== undefined) info.remoteAddress = req.socket.remoteAddress;
  return info;
}

/** Size of the pieces a large complete answer is written in: the socket's own high-water mark. */
const PIECE_BYTES = 16 * 1024;

/**
 * Write `bytes` a piece at a time as the socket drains, and destroy the socket when it does not drain for
 * `stallMs` (a client that stopped reading), as the stall rule does for streams. Without it, a 16 MB poll
 * answer to a socket that never reads stayed in memory for as long as the socket lived (40 such polls held
 * ~750 MB). One write of everything would show no progress until all of it went out.
 */
function writePaced(res: ServerResponse, bytes: Buffer, stallMs: number): void {
  let at = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const next = () => {
    clearTimeout(timer);
    while (at < bytes.length) {
      const piece = bytes.subarray(at, (at += PIECE_BYTES));
      if (!res.write(piece)) {
        timer = setTimeout(() => res.destroy(), stallMs);
        return void res.once('drain', next);
      }
    }
    res.end();
  };
  res.once('close', () => clearTimeout(timer));
  next();
}

/**
 * An exchange over Node's `(req, res)`. With `stallMs`, a complete answer the client stops reading is cut
 * once the socket has not drained for `stallMs` (see {@link writePaced}).
 */
export function nodeExchange(req: IncomingMessage, res: ServerResponse, stallMs?: number): HttpExchange {
  return {
    request: nodeRequestInfo(req),
    readBody(limit, timeoutMs) {
      return new Promise((resolve, reject) => {
        let chunks: Buffer[] = [];
        let size = 0;
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > limit) {
          req.resume();
          return reject(new RealtimeError('message_too_large', `body of ${declared} bytes is over the limit of ${limit}`));
        }
        const stop = (error: RealtimeError) => {
          clearTimeout(timer);
          req.removeAllListeners('data');
          chunks = [];
          req.resume();
          reject(error);
        };
        const timer = setTimeout(() => {
          // The rest of the body may never come: close the connection after the answer instead of keeping it.
          res.setHeader('connection', 'close');
          stop(new RealtimeError('bad_request', `body not received within ${timeoutMs} ms`));
        }, timeoutMs);
        req.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) return stop(new RealtimeError('message_too_large', `body is over the limit of ${limit} bytes`));
          chunks.push(chunk);
        });
        req.on('end', () => {
          clearTimeout(timer);
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
        req.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
    },
    send(status, headers, body) {
      if (res.headersSent) return void res.end();
      if (status === 204) {
        res.writeHead(status, headers);
        return void res.end();
      }
      const bytes = Buffer.from(body);
      res.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
      if (stallMs && bytes.length > PIECE_BYTES) writePaced(res, bytes, stallMs);
      else res.end(bytes);
    },
    stream(status, headers) {
      // A close-delimited body instead of chunked encoding: each write goes to the socket as is (no chunk
      // framing around every event), and an event stream is never followed by another request anyway.
      if (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) {
        res.setHeader('connection', 'close');
        res.removeHeader('transfer-encoding');
      }
      res.writeHead(status, headers);
      res.flushHeaders();
      res.socket?.setNoDelay(true);
      return createNodeSink(res);
    },
    onClose(listener) {
      res.once('close', listener);
    },
  };
}

/** Describe a Fetch-API request. */
export function webRequestInfo(request: Request): RequestInfo {
  return { method: request.method, url: new URL(request.url), header: (name) => request.headers.get(name) };
}

/** An exchange over a Fetch-API `Request`; `respond` receives the `Response` (once). */
export function webExchange(request: Request, respond: (response: Response) => void, clientKey?: string): HttpExchange {
  const closeListeners: (() => void)[] = [];
  let closedOnce = false;
  const fireClose = () => {
    if (closedOnce) return;
    closedOnce = true;
    for (const listener of closeListeners) listener();
  };
  request.signal?.addEventListener('abort', fireClose, { once: true });
  return {
    ...(clientKey === undefined ? {} : { clientKey }),
    request: webRequestInfo(request),
    async readBody(limit, timeoutMs) {
      const declared = Number(request.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > limit) throw new RealtimeError('message_too_large', `body of ${declared} bytes is over the limit of ${limit}`);
      const reader = request.body?.getReader();
      if (!reader) return '';
      const chunks: Uint8Array[] = [];
      let size = 0;
      let late = false;
      // Cancelling ends the pending read (done), so a body stream that never ends cannot hold the handler.
      const timer = setTimeout(() => {
        late = true;
        reader.cancel().catch(() => undefined);
      }, timeoutMs);
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (late) throw new RealtimeError('bad_request', `body not received within ${timeoutMs} ms`);
          if (done) break;
          size += value.byteLength;
          if (size > limit) {
            await reader.cancel().catch(() => undefined);
            throw new RealtimeError('message_too_large', `body is over the limit of ${limit} bytes`);
          }
          chunks.push(value);
        }
      } finally {
        clearTimeout(timer);
      }
      return Buffer.concat(chunks).toString('utf8');
    },
    send(status, headers, body) {
      respond(new Response(status === 204 ? null : body, { status, headers }));
      fireClose();
    },
    stream(status, headers) {
      const { sink, body } = createWebSink(fireClose);
      respond(new Response(body, { status, headers }));
      return {
        ...sink,
        end() {
          sink.end();
          fireClose();
        },
        destroy() {
          sink.destroy();
          fireClose();
        },
      };
    },
    onClose(listener) {
      if (closedOnce) listener();
      else closeListeners.push(listener);
    },
  };
}
