/**
 * Run one WebSocket fuzz session with the `ws` package: upgrade (with or without a bearer token), send the
 * frames as they are (text, binary, oversized), then a sentinel `unsubscribe` with a ref no generator makes;
 * the session ends at its answer (the connection survived every frame), at the server's close, or at the
 * deadline (a violation).
 */
import WebSocket from 'ws';
import type { WsSession } from './fuzz-ws-inputs.js';

/** What the server did with a session. */
export interface WsOutcome {
  /** Status of a refused upgrade. */
  refused?: { status: number; body: string };
  /** Every frame received, raw. */
  frames: string[];
  close?: { code: number; reason: string };
  /** The sentinel was answered: the connection is alive after every fuzz frame. */
  answered: boolean;
  error?: string;
}

/** Ref of the sentinel frame (generated refs are at most 10 characters). */
export const SENTINEL_REF = '#sentinel#end';
const SENTINEL = JSON.stringify({ type: 'unsubscribe', topic: 'fz/sentinel', ref: SENTINEL_REF });

/** Run `session` against `wsUrl`; resolves (never rejects) within `timeoutMs`. */
export function runWsSession(session: WsSession, wsUrl: string, timeoutMs: number): Promise<WsOutcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = session.upgradeToken === undefined ? {} : { authorization: `Bearer ${session.upgradeToken}` };
    const socket = new WebSocket(wsUrl, { headers, maxPayload: 1024 * 1024 });
    const outcome: WsOutcome = { frames: [], answered: false };
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) outcome.error = error;
      socket.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish(`no answer to the sentinel and no close within ${timeoutMs} ms`), timeoutMs);
    let refusing = false;
    socket.on('unexpected-response', (_req, res) => {
      // The socket's close may overtake the end of the body: the refusal is judged on its whole body.
      refusing = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('close', () => {
        outcome.refused = { status: res.statusCode ?? 0, body };
        finish();
      });
    });
    socket.on('error', (error) => {
      if (!outcome.refused && !outcome.close) outcome.error = `socket error ${error.message}`;
    });
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? `<binary ${String(data)}>` : String(data);
      outcome.frames.push(text);
      if (text.includes(SENTINEL_REF)) {
        outcome.answered = true;
        finish();
      }
    });
    socket.on('close', (code, reason) => {
      if (refusing) return;
      outcome.close = { code, reason: reason.toString() };
      finish();
    });
    socket.on('open', () => {
      const ignore = () => undefined;
      for (const frame of session.frames) {
        if (socket.readyState !== WebSocket.OPEN) return;
        if (frame.kind === 'text') socket.send(frame.text, { binary: false }, ignore);
        else socket.send(frame.bytes, { binary: true }, ignore);
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(SENTINEL, ignore);
    });
  });
}
