import { component$, Slot, useContextProvider } from '@builder.io/qwik';
import { RealtimeContext, type RealtimeConfig } from './config.js';

/** Props of {@link RealtimeProvider}: the endpoint config (see {@link RealtimeConfig}). */
export type RealtimeProviderProps = RealtimeConfig;

/**
 * Tells every realtime hook and component below it where the hub is and how to reach it. Holds only
 * serializable config (data and QRLs); the live client is created in the browser, once per endpoint, by the
 * first component that connects.
 * @example
 * import { sse } from '@qwik-realtime/qwik/transports/sse';
 * <RealtimeProvider url="/realtime" transports={[sse]} getToken$={() => fetch('/token').then((r) => r.text())}>
 *   <LiveFeed topic="news" />
 * </RealtimeProvider>
 */
export const RealtimeProvider = component$<RealtimeProviderProps>((props) => {
  const config: RealtimeConfig = { url: props.url, transports: props.transports };
  if (props.options) config.options = props.options;
  if (props.getToken$) config.getToken$ = props.getToken$;
  if (props.debug$) config.debug$ = props.debug$;
  if (props.host) config.host = props.host;
  useContextProvider(RealtimeContext, config);
  return <Slot />;
});
