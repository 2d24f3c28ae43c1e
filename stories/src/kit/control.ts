import type { StandInStats } from '../../stand-in-broker/stand-in';

export type { StandInStats };

/** Fault-injection actions of the stand-in broker's control API (`POST /realtime-control/<action>`). */
export type ControlAction = 'drop' | 'restart' | 'delay' | 'stall' | 'duplicates' | 'auth' | 'ws' | 'silent' | 'rate' | 'reset';

/** Base of the control API: same origin as the story (Storybook dev server or the standalone server). */
export const CONTROL_URL = '/realtime-control';

/**
 * Ask the stand-in broker to inject a fault; resolves with its stats after the change.
 * @example
 * await control('restart', { downMs: 3000 });
 */
export async function control(action: ControlAction, params: Record<string, string | number | boolean> = {}): Promise<StandInStats> {
  const query = new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)]));
  const response = await fetch(`${CONTROL_URL}/${action}?${query}`, { method: 'POST' });
  if (!response.ok) throw new Error(`@qwik-realtime/stories: control ${action} answered ${response.status}`);
  return (await response.json()) as StandInStats;
}

/** Read the stand-in broker's stats. */
export async function readStats(): Promise<StandInStats> {
  const response = await fetch(`${CONTROL_URL}/stats`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`@qwik-realtime/stories: stats answered ${response.status}`);
  return (await response.json()) as StandInStats;
}
