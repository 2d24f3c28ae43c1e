import { component$ } from '@builder.io/qwik';
import { Form, routeAction$, routeLoader$, server$ } from '@builder.io/qwik-city';
import { ConnectionStatus, LiveFeed } from '@qwik-realtime/qwik';
import { loadFeed, publishAction } from '@qwik-realtime/qwik/server';
import { appHub } from '../hub';

export const TOPIC = 'e2e-feed';

export const useFeed = routeLoader$(() => loadFeed(appHub(), TOPIC, { history: 3 }));

export const usePost = routeAction$(publishAction(appHub(), { topic: TOPIC, toData: (form) => String(form.text ?? '') }));

/** Publishing from server code: `server$` runs on the server, where the hub is. */
export const shout = server$(async (text: string) => {
  const ack = await appHub().publish(TOPIC, text.toUpperCase());
  return ack.offset;
});

/** A burst of `count` messages, published one after the other as fast as the hub takes them. */
export const burst = server$(async (count: number) => {
  for (let i = 1; i <= count; i++) await appHub().publish(TOPIC, `b${i}`);
  return count;
});

export default component$(() => {
  const feed = useFeed();
  const post = usePost();
  return (
    <>
      <h1>Live feed below the fold</h1>
      <Form action={post}>
        <input name="text" aria-label="message" />
        <button type="submit">post</button>
      </Form>
      <button type="button" onClick$={() => shout('via server$')}>
        shout
      </button>
      <button type="button" onClick$={() => burst(300)}>
        burst
      </button>
      <div id="spacer" style={{ height: '3000px' }}>
        scroll down
      </div>
      <section id="below">
        <ConnectionStatus />
        <LiveFeed topic={TOPIC} limit={5} seed={feed.value} order="oldest-first" aria-label="feed" />
      </section>
    </>
  );
});
