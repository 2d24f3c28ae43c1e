import { $, component$, useSignal } from '@builder.io/qwik';
import type { PublishAck } from '@qwik-realtime/core/protocol';
import { ConnectionStatus, RealtimeProvider, useChannel$ } from '@qwik-realtime/qwik';
import type { ChatLine } from '../../stand-in-broker/feeds';
import { DemoFrame } from '../kit/demo-frame';
import { defaultTransports } from '@qwik-realtime/qwik/transports/default';

/** Props of {@link ChatDemo}. */
export interface ChatDemoProps {
  room: 'lobby' | 'dev';
}

const ChatWindow = component$<{ user: string; room: string }>((props) => {
  const textSig = useSignal('');
  const ackSig = useSignal<PublishAck | null>(null);
  const errorSig = useSignal('');
  const receivedSig = useSignal(0);
  const chat = useChannel$<ChatLine>(
    () => {
      receivedSig.value++;
    },
    { topic: `chat/${props.room}`, limit: 30, history: 10, strategy: 'document-ready' },
  );
  const send = $(async () => {
    const text = textSig.value.trim();
    if (!text) return;
    try {
      ackSig.value = await chat.publish$({ user: props.user, text });
      errorSig.value = '';
      textSig.value = '';
    } catch (error) {
      errorSig.value = error instanceof Error ? error.message : String(error);
    }
  });
  const inputId = `chat-${props.user}`;
  return (
    <div class="panel" style={{ flex: '1', minWidth: '280px' }} data-chat-user={props.user}>
      <h3 style={{ margin: '0 0 6px' }}>{props.user}</h3>
      <ul data-topic={`chat/${props.room}`} aria-label={`${props.user}'s view of chat/${props.room}`}>
        {chat.messagesSig.value.map((message) => (
          <li key={message.id} data-offset={message.offset}>
            <b>{message.data.user}</b>: {message.data.text}
          </li>
        ))}
      </ul>
      <form preventdefault:submit onSubmit$={send} class="row">
        <label for={inputId}>Message as {props.user}</label>
        <input id={inputId} bind:value={textSig} autoComplete="off" />
        <button type="submit">Send</button>
      </form>
      <p role="status" aria-live="polite" data-ack={ackSig.value ? ackSig.value.offset : ''}>
        {errorSig.value ? `Not sent: ${errorSig.value}` : ackSig.value ? `Acknowledged at offset ${ackSig.value.offset}` : ' '}
      </p>
    </div>
  );
});

/** Chat with `useChannel$`: two users in one room, each publishing with `publish$` and an acknowledgement. */
export const ChatDemo = component$<ChatDemoProps>((props) => (
  <RealtimeProvider url="/realtime" transports={defaultTransports}>
    <DemoFrame
      title="Chat with useChannel$"
      explain="Each window is a useChannel$ on chat/<room>: the newest 30 messages as a signal, plus publish$, which resolves with the hub's acknowledgement (the offset the message landed at). Both windows share one connection; a bot posts now and then."
    >
      <ConnectionStatus strategy="document-ready" />
      <div class="row" style={{ alignItems: 'flex-start' }} key={props.room}>
        <ChatWindow user="alice" room={props.room} />
        <ChatWindow user="bob" room={props.room} />
      </div>
    </DemoFrame>
  </RealtimeProvider>
));
