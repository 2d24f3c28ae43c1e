import { implicit$FirstArg, noSerialize, untrack, useSignal, useVisibleTask$, type NoSerialize, type QRL, type Signal } from '@builder.io/qwik';
import { joinPresence } from '@qwik-realtime/core';
import type { ConnectionState, PresenceHandle, PresenceState, RealtimeClient } from '@qwik-realtime/core';
import type { PresenceMember } from '@qwik-realtime/core/protocol';
import { acquireClient } from '../client-registry.js';
import type { ConnectStrategy, JsonValue, RealtimeConfig } from '../config.js';
import { INITIAL_STATE } from '../live-topics.js';
import { plainError, plainState } from '../plain.js';
import { useRealtimeConfig } from '../use-realtime-config.js';

/** Options of {@link usePresence$} / {@link usePresence}. `topic`, `data` and `enabled` are followed after mount. */
export interface UsePresenceOptions<T extends JsonValue = JsonValue> {
  /** The topic whose presence to join. */
  topic: string;
  /** This user's data, seen by the others (small JSON, at most 1 KB by default). @default null */
  data?: T;
  /** `false` leaves (and shows no members) until it is `true` again. @default true */
  enabled?: boolean;
  /** When to join. @default 'intersection-observer' (when the component's first element is visible) */
  strategy?: ConnectStrategy;
  /** Endpoint, instead of the nearest `RealtimeProvider`'s. */
  config?: RealtimeConfig;
}

/** What {@link usePresence$} returns: plain-data signals, safe to render on the server (empty there). */
export interface PresenceSignals<T extends JsonValue = JsonValue> {
  /** Every member, this user included, oldest join first. */
  membersSig: Readonly<Signal<PresenceMember<T>[]>>;
  /** The presence's state: `joining`, `joined`, `rejoining`, `failed` (with `error`), `left`; `self` is this user's id. */
  presenceSig: Readonly<Signal<PresenceState<T>>>;
  /** The shared connection's state. */
  stateSig: Readonly<Signal<ConnectionState>>;
}

/** A signal of a plain value, written (outside the render's output) when the component renders with another one. */
function useFollowed<V>(value: V): Signal<V> {
  const sig = useSignal(value);
  if (JSON.stringify(sig.value) !== JSON.stringify(value)) {
    // Tells the browser tasks what to follow; not part of this render's output.
    untrack(() => {
      sig.value = value;
    });
  }
  return sig;
}

/** The data each handle last sent (JSON), so the data task does not send again what the join just sent. */
const sent = new WeakMap<object, string>();

const initialPresence = (topic: string): PresenceState<never> => ({ topic, status: 'joining', members: [], self: null, error: null });
/** A plain copy (the core's objects are its own; Qwik serializes what it stores). */
const plainPresence = <T>(state: PresenceState<T>): PresenceState<T> => ({
  topic: state.topic,
  status: state.status,
  members: state.members.map((member) => ({ ...member })),
  self: state.self,
  error: state.error && plainError(state.error),
});

/**
 * {@link usePresence$} with an explicit QRL (what the optimizer turns `usePresence$(fn, options)` into);
 * `undefined` for no callback (that is {@link usePresence}).
 */
export const usePresenceQrl = <T extends JsonValue = JsonValue>(
  onChange: QRL<(state: PresenceState<T>) => void> | undefined,
  options: UsePresenceOptions<T>,
): PresenceSignals<T> => {
  const config = useRealtimeConfig(options.config);
  const followedSig = useFollowed({ topic: options.topic, enabled: options.enabled !== false });
  const dataSig = useFollowed<JsonValue>(options.data ?? null);
  const handleSig = useSignal<NoSerialize<PresenceHandle<T>>>();
  const membersSig = useSignal<PresenceMember<T>[]>([]);
  const presenceSig = useSignal<PresenceState<T>>(initialPresence(options.topic));
  const stateSig = useSignal<ConnectionState>(INITIAL_STATE);

  // Presence is a live connection: browser-only, joined when visible, left on unmount.
  useVisibleTask$(
    async function joinWhileVisible({ track, cleanup }) {
      const { topic, enabled } = track(() => followedSig.value);
      let closed = false;
      let stop = () => {};
      cleanup(() => {
        closed = true;
        stop();
      });
      if (!enabled) {
        membersSig.value = [];
        presenceSig.value = { ...initialPresence(topic), status: 'left' };
        return;
      }
      const [lease, handler] = await Promise.all([acquireClient(config), onChange?.resolve()]);
      if (closed) return lease.release();
      let handle: PresenceHandle<T> | undefined;
      let unobserve = () => {};
      const show = (state: PresenceState<T>) => {
        const plain = plainPresence(state);
        presenceSig.value = plain;
        membersSig.value = plain.members;
        handler?.(plain);
      };
      const join = (client: RealtimeClient) => {
        const data = untrack(() => dataSig.value);
        handle = joinPresence<T>(client, topic, data as T);
        sent.set(handle, JSON.stringify(data));
        handleSig.value = noSerialize(handle);
        handle.onChange(show);
        show(handle.state());
        stateSig.value = plainState(client.getState());
        unobserve = client.onState((state) => {
          stateSig.value = plainState(state);
        });
      };
      // registerClient may replace the client: leave on the old one, join on the new one.
      lease.onMove((next) => {
        unobserve();
        handle?.leave();
        join(next);
      });
      join(lease.client);
      stop = () => {
        unobserve();
        handle?.leave();
        lease.release();
      };
    },
    { strategy: options.strategy ?? 'intersection-observer' },
  );
  // A new `data` updates this user's entry in place (no leave/join for the others).
  useVisibleTask$(
    function updateData({ track }) {
      const data = track(() => dataSig.value);
      const handle = track(() => handleSig.value);
      if (!handle || sent.get(handle) === JSON.stringify(data)) return;
      sent.set(handle, JSON.stringify(data));
      handle.update(data as T);
    },
    { strategy: options.strategy ?? 'intersection-observer' },
  );
  return { membersSig, presenceSig, stateSig };
};

/**
 * Join a topic's presence while the component is visible, with this user's small JSON `data`; the
 * signals follow the member list. `fn` runs in the browser on every change. Rejoins by itself after a
 * reconnect; leaves on unmount. Changing `data` updates this user's entry for everyone.
 * @example
 * const { membersSig } = usePresence$((state) => console.log(state.members.length), { topic: 'room:1', data: { name } });
 * return <ul>{membersSig.value.map((m) => <li key={m.id}>{m.data.name}</li>)}</ul>;
 */
export const usePresence$ = /*#__PURE__*/ implicit$FirstArg(usePresenceQrl);

/**
 * {@link usePresence$} without a callback.
 * @example
 * const { membersSig, presenceSig } = usePresence({ topic: 'room:1', data: { name: 'Ann' } });
 */
export function usePresence<T extends JsonValue = JsonValue>(options: UsePresenceOptions<T>): PresenceSignals<T> {
  return usePresenceQrl<T>(undefined, options);
}
