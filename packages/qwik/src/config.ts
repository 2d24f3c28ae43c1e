import { createContextId } from '@builder.io/qwik';
import type { TransportName } from '@qwik-realtime/core';

/** A JSON value: what may sit in {@link RealtimeConfig.options} and cross Qwik's serialization. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Where and how to connect. Plain, serializable data only: it lives in Qwik context and is resumed in the
 * browser, where the shared client is built from it (see {@link acquireClient}).
 */
export interface RealtimeConfig {
  /** Mount path (or absolute URL) of the hub's endpoints. @default '/realtime' */
  url: string;
  /** Transports to try, in order, by name. @default ['websocket', 'sse', 'long-poll'] */
  transports?: TransportName[];
  /** Further options handed to the core's `createClient` (numbers, strings, booleans only). */
  options?: { [key: string]: JsonValue };
}

/** When a live component connects; the values of `useVisibleTask$`'s `strategy`. */
export type ConnectStrategy = 'intersection-observer' | 'document-ready' | 'document-idle';

/** The config hooks use when no {@link RealtimeProvider} is above them. */
export const DEFAULT_CONFIG: RealtimeConfig = { url: '/realtime' };

/** Default transport order, the same as the core's. */
export const DEFAULT_TRANSPORTS: TransportName[] = ['websocket', 'sse', 'long-poll'];

/** Context carrying the {@link RealtimeConfig} of the nearest provider. */
export const RealtimeContext = createContextId<RealtimeConfig>('qwik-realtime.config');

/** Identity of an endpoint: components whose configs share a key share one client. */
export function endpointKey(config: RealtimeConfig): string {
  return JSON.stringify([config.url, config.transports ?? DEFAULT_TRANSPORTS, config.options ?? {}]);
}
