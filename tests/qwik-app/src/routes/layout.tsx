import { component$, Slot } from '@builder.io/qwik';
import { Link } from '@builder.io/qwik-city';
import { RealtimeProvider } from '@qwik-realtime/qwik';
import { sse } from '@qwik-realtime/qwik/transports/sse';

export default component$(() => (
  <RealtimeProvider url="/realtime" transports={[sse]} debug$={(event) => void event}>
    <nav>
      <Link href="/">home</Link> <Link href="/other/">other</Link>
    </nav>
    <main>
      <Slot />
    </main>
  </RealtimeProvider>
));

