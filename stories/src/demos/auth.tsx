import { component$, Slot, useSignal, useVisibleTask$ } from '@builder.io/qwik';
import { createBaseClient, fetchSseTransport } from '@qwik-realtime/core';
import { ConnectionStatus, LiveFeed, registerClient, type RealtimeConfig } from '@qwik-realtime/qwik';
import { Counter } from '../kit/counter';
import { DemoFrame } from '../kit/demo-frame';
import { FaultBar } from '../kit/fault-bar';
import { RetryButton } from '../kit/retry-button';
import { useStandInStats } from '../kit/use-stats';
import { transportsOf } from '../kit/transports';

/** The auth story's endpoint; its client is registered (a `getToken` function cannot live in Qwik context). */
export const AUTH_CONFIG: RealtimeConfig = { url: '/realtime', transports: transportsOf(['fetch-sse']), options: { story: 'auth' } };

/**
 * Builds a core client whose `getToken` hands out a new token per attempt and registers it for
 * {@link AUTH_CONFIG}, so `<ConnectionStatus>` and `<LiveFeed>` below use it. Children render once it is.
 */
const AuthClientScope = component$(() => {
  const readySig = useSignal(false);
  const issuedSig = useSignal<string[]>([]);
  // A registered client is browser-only and must be closed with the story: a visible task owns it.
  useVisibleTask$(
    function registerTokenClient({ cleanup }) {
      let issued = 0;
      const client = createBaseClient({
        url: AUTH_CONFIG.url,
        transports: [fetchSseTransport()],
        backoff: { baseMs: 1000, capMs: 5000 },
        getToken: async () => {
          const token = `token-${++issued}`;
          issuedSig.value = [...issuedSig.value, token].slice(-8);
          return token;
        },
      });
      const unregister = registerClient(AUTH_CONFIG, client);
      readySig.value = true;
      cleanup(() => {
        unregister();
        client.close();
      });
    },
    { strategy: 'document-ready' },
  );
  return (
    <>
      <p>
        Tokens handed out by <code>getToken()</code>: <span data-issued={issuedSig.value.length}>{issuedSig.value.join(', ') || 'none yet'}</span>
      </p>
      {readySig.value ? <Slot /> : <p>Creating the client…</p>}
    </>
  );
});

const ServerTokens = component$(() => {
  const statsSig = useStandInStats();
  const auth = statsSig.value?.auth;
  return (
    <div class="panel">
      <div class="counters">
        <Counter name="attempts" label="Server: auth attempts" value={auth?.attempts ?? 0} />
        <Counter name="refused" label="Server: refused" value={auth?.refused ?? 0} />
      </div>
      <p>
        Server saw:{' '}
        <span data-seen>
          {(auth?.seen ?? [])
            .filter((seen) => seen.token?.startsWith('token-'))
            .slice(-6)
            .map((seen) => `${seen.token}${seen.accepted ? '' : ' (refused)'}`)
            .join(', ') || 'nothing yet'}
        </span>
      </p>
    </div>
  );
});

/** Auth: a token per attempt (fetch-SSE sends it as `Authorization: Bearer`), refresh on expiry, stop on refusal. */
export const AuthDemo = component$(() => (
  <DemoFrame
    title="Auth: a fresh token per attempt"
    explain="The client calls getToken() before every connection attempt. Drop connections: the next attempt carries the next token. Expire tokens: the server accepts each token for 3 s, then closes with token_expired, and the client reconnects at once with a new one. Reject tokens: the server answers 401, the client stops (no retry loop) and the badge shows the error until you accept tokens and press Retry now."
  >
    <AuthClientScope>
      <div class="row">
        <ConnectionStatus config={AUTH_CONFIG} strategy="document-ready" />
        <RetryButton config={AUTH_CONFIG} />
      </div>
      <FaultBar
        buttons={[
          { label: 'Drop connections', action: 'drop' },
          { label: 'Expire tokens after 3 s', action: 'auth', params: { mode: 'expire', expireMs: 3000 } },
          { label: 'Reject tokens', action: 'auth', params: { mode: 'reject' } },
          { label: 'Accept tokens', action: 'auth', params: { mode: 'open' } },
        ]}
      />
      <ServerTokens />
      <LiveFeed topic="notifications" config={AUTH_CONFIG} limit={5} history={5} strategy="document-ready" aria-label="notifications" />
    </AuthClientScope>
  </DemoFrame>
));
