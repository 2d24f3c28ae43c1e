import { $, component$, useSignal } from '@builder.io/qwik';
import { ConnectionStatus, PresenceList, RealtimeProvider } from '@qwik-realtime/qwik';
import type { TransportName } from '@qwik-realtime/core';
import type { PresenceItemProps } from '@qwik-realtime/qwik';
import { defaultTransports } from '@qwik-realtime/qwik/transports/default';
import { DemoFrame } from '../kit/demo-frame';
import { TRANSPORTS } from '../kit/transports';

/** The users of the story. Each gets its own token QRL, so each window is its own endpoint and connection. */
const TOKENS = {
  alice: $(() => 'alice'),
  bob: $(() => 'bob'),
};
type User = keyof typeof TOKENS;

/** Props of {@link PresenceDemo}. */
export interface PresenceDemoProps {
  /** Show only this user's window (one user per browser tab or context); both when absent. */
  only?: User;
  /** One transport for both windows; the default chain (WebSocket first) when absent. */
  transport?: TransportName;
}

/** A member as a user's window shows it: name, "(you)", and "away" when set. */
const Member = component$<PresenceItemProps>((props) => {
  const data = (props.member.data ?? {}) as { name?: string; away?: boolean };
  return (
    <span data-away={data.away ? 'true' : undefined}>
      {data.name ?? props.member.id}
      {props.self ? ' (you)' : ''}
      {data.away ? ' — away' : ''}
    </span>
  );
});

const UserWindow = component$<{ user: User; transport?: TransportName }>((props) => {
  const awaySig = useSignal(false);
  return (
    <RealtimeProvider url="/realtime" transports={props.transport ? [TRANSPORTS[props.transport]] : defaultTransports} getToken$={TOKENS[props.user]}>
      <div class="panel" style={{ flex: '1', minWidth: '260px' }} data-presence-user={props.user}>
        <h3 style={{ margin: '0 0 6px' }}>{props.user}</h3>
        <ConnectionStatus strategy="document-ready" />
        <PresenceList
          topic="presence/room"
          data={{ name: props.user, away: awaySig.value }}
          item={Member}
          strategy="document-ready"
          aria-label={`Who is here, as ${props.user} sees it`}
        />
        <button type="button" onClick$={() => (awaySig.value = !awaySig.value)}>
          {awaySig.value ? 'I am back' : 'Set away'}
        </button>
      </div>
    </RealtimeProvider>
  );
});

/** Presence with `<PresenceList>`: two users, each on its own connection, see each other come, change and go. */
export const PresenceDemo = component$<PresenceDemoProps>((props) => (
  <DemoFrame
    title="Presence with PresenceList"
    explain="Each window joins the presence of presence/room over its own connection (its own token), with { name, away } as its data. Press Set away in one window and the other shows it; open the story with only one user in two tabs and close one: the other sees the leave at once (on a crash, within the hub's presence TTL)."
  >
    <div class="row" style={{ alignItems: 'flex-start' }}>
      {(props.only ? [props.only] : (Object.keys(TOKENS) as User[])).map((user) => (
        <UserWindow key={user} user={user} transport={props.transport} />
      ))}
    </div>
  </DemoFrame>
));
