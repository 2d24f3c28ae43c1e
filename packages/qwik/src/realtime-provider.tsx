import { component$, Slot, useContextProvider } from '@builder.io/qwik';
import { RealtimeContext, type RealtimeConfig } from './config.js';

/** Props of {@link RealtimeProvider}: the endpoint config (see {@link RealtimeConfig}). */
export type RealtimeProviderProps = RealtimeConfig;

/**
 * Tells every realtime hook and component below it where the hub is. Holds only serializable config;
 * the live client is created in the browser, once per endpoint, by the first component that connects.
 * @example
 * <RealtimeProvider url="/realtime" transports={['websocket', 'sse']}>
 *   <LiveFeed topic="news" />
 * </RealtimeProvider>
 */
export const RealtimeProvider = component$<RealtimeProviderProps>((props) => {
  const config: RealtimeConfig = { url: props.url };
  if (props.transports) config.transports = props.transports;
  if (props.options) config.options = props.options;
  useContextProvider(RealtimeContext, config);
  return <Slot />;
});
