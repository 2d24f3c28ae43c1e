import { createContextId, type QRL } from '@builder.io/qwik';
import type { RealtimeClient, Transport } from '@qwik-realtime/core';

/** A JSON value: what may sit in {@link RealtimeConfig.options} and cross Qwik's serialization. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A transport as a value the page can resume: a QRL building it. Import the ones you use from
 * `@qwik-realtime/qwik/transports/<name>`; only those are bundled.
 */
export type TransportQrl = QRL<() => Transport>;

/**
 * Where and how to connect. Serializable only (data and QRLs): it lives in Qwik context and is resumed in
 * the browser, where the page's shared client is built from it.
 */
export interface RealtimeConfig {
  /** Mount path (or absolute URL) of the hub's endpoints. @default '/realtime' */
  url: string;
  /**
   * Transports to try, in order, as values: the app bundles exactly these. `defaultTransports` from
   * `@qwik-realtime/qwik/transports/default` is the core's chain (websocket, sse, long-poll).
   * @example
   * import { sse } from '@qwik-realtime/qwik/transports/sse';
   * <RealtimeProvider url="/realtime" transports={[sse]} />
   */
  transports: TransportQrl[];
  /** Further options handed to the core's `createClient` (numbers, strings, booleans only). */
  options?: { [key: string]: JsonValue };
  /** Token for each connection attempt (the core's `getToken`), run in the browser. */
  getToken$?: QRL<() => string | null | undefined | Promise<string | null | undefined>>;
  /** Receives the client's debug events (the core's `debug`), in the browser. */
  debug$?: QRL<(event: string, detail?: unknown) => void>;
  /**
   * Where the connection runs, as a value: `workerHost` from `@qwik-realtime/qwik/worker` runs it in a
   * SharedWorker shared by every tab of the browser profile. Without it the page connects itself and ships
   * none of the worker host. @default undefined (this page)
   */
  host?: HostQrl;
}

/** What a {@link HostQrl} is given to build the endpoint's client: the config with its values resolved. */
export interface HostInit {
  url: string;
  /** The provider's transports, built, in order. */
  transports: Transport[];
  options?: { [key: string]: JsonValue };
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
}

/** Where a connection runs, as a value the page can resume (`workerHost` from `@qwik-realtime/qwik/worker`). */
export type HostQrl = QRL<(init: HostInit) => RealtimeClient>;

/** When a live component connects; the values of `useVisibleTask$`'s `strategy`. */
export type ConnectStrategy = 'intersection-observer' | 'document-ready' | 'document-idle';

/** The config hooks use when no {@link RealtimeProvider} is above them: no transports, so only a registered client. */
export const DEFAULT_CONFIG: RealtimeConfig = { url: '/realtime', transports: [] };

/** Context carrying the {@link RealtimeConfig} of the nearest provider. */
export const RealtimeContext = createContextId<RealtimeConfig>('qwik-realtime.config');

const symbolOf = (qrl: QRL | undefined) => (qrl ? qrl.getSymbol() : null);

/** Identity of an endpoint: components whose configs share a key share one client. */
export function endpointKey(config: RealtimeConfig): string {
  return JSON.stringify([
    config.url,
    config.transports.map(symbolOf),
    config.options ?? {},
    symbolOf(config.getToken$),
    symbolOf(config.debug$),
    symbolOf(config.host),
  ]);
}
