import { component$, useSignal, useTask$, type Signal } from '@builder.io/qwik';
import type { ConnectionState } from '@qwik-realtime/core';
import { statusKind } from '@qwik-realtime/qwik';

/** One line of the {@link StateLog}: a state change as the connection reported it. */
export interface StateEntry {
  at: number;
  kind: string;
  status: ConnectionState['status'];
  attempt: number;
  /** ms until the next attempt when the change was reported (reconnecting only). */
  retryInMs: number | null;
  transport: string | null;
  error: string | null;
}

/** Append a state change (skipping repeats) to a bounded log. */
export function appendState(log: StateEntry[], state: ConnectionState, now: number, keep = 30): StateEntry[] {
  const entry: StateEntry = {
    at: now,
    kind: statusKind(state),
    status: state.status,
    attempt: state.attempt,
    retryInMs: state.nextRetryAt === null ? null : Math.max(0, state.nextRetryAt - now),
    transport: state.transport,
    error: state.error ? `${state.error.code}: ${state.error.message}` : null,
  };
  const last = log[log.length - 1];
  if (last && last.status === entry.status && last.attempt === entry.attempt && last.retryInMs === entry.retryInMs && last.error === entry.error) return log;
  return [...log, entry].slice(-keep);
}

/** A timeline of the connection's states, newest last: status, attempt, delay before the next attempt. */
export const StateLog = component$<{ stateSig: Readonly<Signal<ConnectionState>>; label?: string }>((props) => {
  const logSig = useSignal<StateEntry[]>([]);
  const startSig = useSignal(0);
  useTask$(({ track }) => {
    const state = track(() => props.stateSig.value);
    const now = Date.now();
    if (startSig.value === 0) startSig.value = now;
    logSig.value = appendState(logSig.value, state, now);
  });
  return (
    <ol class="log" aria-label={props.label ?? 'Connection log'}>
      {logSig.value.map((entry, index) => (
        <li key={index} data-kind={entry.kind} data-attempt={entry.attempt} data-retry-ms={entry.retryInMs ?? ''}>
          +{((entry.at - startSig.value) / 1000).toFixed(1)} s · {entry.status}
          {entry.transport ? ` (${entry.transport})` : ''}
          {entry.attempt > 0 ? ` · attempt ${entry.attempt}` : ''}
          {entry.retryInMs !== null ? ` · next try in ${(entry.retryInMs / 1000).toFixed(1)} s` : ''}
          {entry.error ? ` · ${entry.error}` : ''}
        </li>
      ))}
    </ol>
  );
});
