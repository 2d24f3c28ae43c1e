import { component$, type Component } from '@builder.io/qwik';
import type { PresenceMember } from '@qwik-realtime/core/protocol';
import type { ConnectStrategy, JsonValue, RealtimeConfig } from '../config.js';
import { usePresence } from './use-presence.js';

/** Props of the component that renders one member (the `item` prop of {@link PresenceList}). */
export interface PresenceItemProps {
  member: PresenceMember<JsonValue>;
  /** True for this user's own entry. */
  self: boolean;
}

/** Props of {@link PresenceList}. */
export interface PresenceListProps {
  /** The topic whose presence to join and show. */
  topic: string;
  /** This user's data (small JSON); `data.name` is what the default item shows. @default null */
  data?: JsonValue;
  /** Render each member; default: its `data.name`, else its principal, else its id. */
  item?: Component<PresenceItemProps>;
  /** `false` leaves until it is `true` again. @default true */
  enabled?: boolean;
  strategy?: ConnectStrategy;
  config?: RealtimeConfig;
  class?: string;
  'aria-label'?: string;
}

/** What the default item shows for a member. */
export function memberLabel(member: PresenceMember<JsonValue>): string {
  const data = member.data;
  if (data && typeof data === 'object' && !Array.isArray(data) && typeof data.name === 'string') return data.name;
  return member.principal ?? member.id;
}

const DefaultItem = component$<PresenceItemProps>((props) => <>{memberLabel(props.member)}</>);

/**
 * Join a topic's presence and list who is there: a `<ul>` whose items carry `data-self` for this user;
 * `data-state` on the list is the presence status (`joining`, `joined`, `rejoining`, `failed`, `left`)
 * and `data-count` the number of members. A composition of {@link usePresence}: use the hook for
 * another layout.
 * @example
 * <PresenceList topic="room:1" data={{ name: user.name }} aria-label="In this room" />
 */
export const PresenceList = component$<PresenceListProps>((props) => {
  const { membersSig, presenceSig } = usePresence({
    topic: props.topic,
    data: props.data ?? null,
    enabled: props.enabled !== false,
    ...(props.strategy ? { strategy: props.strategy } : {}),
    ...(props.config ? { config: props.config } : {}),
  });
  const Item = props.item ?? DefaultItem;
  return (
    <ul class={props.class} aria-label={props['aria-label']} data-topic={props.topic} data-state={presenceSig.value.status} data-count={membersSig.value.length}>
      {membersSig.value.map((member) => (
        <li key={member.id} data-member={member.id} data-self={member.id === presenceSig.value.self ? 'true' : undefined}>
          <Item member={member} self={member.id === presenceSig.value.self} />
        </li>
      ))}
    </ul>
  );
});
