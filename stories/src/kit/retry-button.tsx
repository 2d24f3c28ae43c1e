import { component$ } from '@builder.io/qwik';
import { reconnect, type RealtimeConfig } from '@qwik-realtime/qwik';

/** "Retry now": `client.connect()` on the page's shared client, which also resets a stopped client. */
export const RetryButton = component$<{ config: RealtimeConfig }>((props) => (
  <button
    type="button"
    onClick$={() => reconnect(props.config)}
  >
    Retry now
  </button>
));
