import { component$, Slot } from '@builder.io/qwik';
import { Link } from '@builder.io/qwik-city';
import { RealtimeProvider } from '@qwik-realtime/qwik';

export default component$(() => (
  <RealtimeProvider url="/realtime" transports={['websocket', 'sse', 'long-poll']}>
    <nav>
      <Link href="/">home</Link> <Link href="/other/">other</Link>
    </nav>
    <main>
      <Slot />
    </main>
  </RealtimeProvider>
));

