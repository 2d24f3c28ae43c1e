import type { ResolvedPlatform } from './platform.js';
import type { CloseReason, Transport } from './transport.js';

/** The ordered fallback chain of a connection, with the transports currently skipped. */
export interface TransportChain {
  /** The first transport not skipped (every one skipped: the skips are forgotten, the chain starts over). */
  pick(): Transport;
  /** `transport` reached the server once: it is never skipped from then on. */
  opened(transport: Transport): void;
  /**
   * An attempt over `transport` ended before it opened. Skips it when the failure is about the transport
   * itself; returns whether another transport should be tried at once (a fallback).
   */
  failed(transport: Transport, reason: CloseReason): boolean;
  /** Forget every skip (`connect()`). */
  reset(): void;
}

/**
 * Create the chain. Only a transport-level failure (network, refused upgrade, missing constructor, no
 * answer) before the transport ever opened counts against it; a token, an error status or a restarting
 * server says nothing about it. A skip lasts `skipMs`, so one bad moment does not demote a transport for
 * the page's life.
 */
export function createTransportChain(transports: Transport[], platform: ResolvedPlatform, skipMs: number): TransportChain {
  /** Skipped transports, until the time given. */
  const skipped = new Map<Transport, number>();
  const reached = new Set<Transport>();
  const isSkipped = (transport: Transport) => (skipped.get(transport) ?? 0) > platform.now();
  return {
    pick() {
      let transport = transports.find((t) => !isSkipped(t));
      if (!transport) {
        skipped.clear();
        transport = transports[0];
      }
      if (!transport) throw new Error('@qwik-realtime/core: no transport configured');
      return transport;
    },
    opened(transport) {
      reached.add(transport);
    },
    failed(transport, reason) {
      const fault = reason.transportFault ?? reason.code === 'disconnected';
      if (reached.has(transport) || reason.retry !== 'retry_backoff' || !fault) return false;
      const fallback = transports.some((t) => t !== transport && !isSkipped(t));
      skipped.set(transport, platform.now() + skipMs);
      return fallback;
    },
    reset() {
      skipped.clear();
    },
  };
}
