import { useContext } from '@builder.io/qwik';
import { DEFAULT_CONFIG, RealtimeContext, type RealtimeConfig } from './config.js';

/** The config of the nearest {@link RealtimeProvider}, overridden by `override` when given. */
export function useRealtimeConfig(override?: RealtimeConfig): RealtimeConfig {
  const fromContext = useContext(RealtimeContext, DEFAULT_CONFIG);
  return override ?? fromContext;
}
