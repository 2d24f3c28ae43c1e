import { component$ } from '@builder.io/qwik';
import type { ConnectionState } from '@qwik-realtime/core';
import type { Envelope, PublishAck } from '@qwik-realtime/core/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import * as api from './index.js';
import type { ChannelHandle, LiveFeedItemProps } from './index.js';

interface Chat {
  text: string;
}

describe('public API', () => {
  it('exports each $ hook next to its Qrl form (the optimizer rewrites one into the other)', () => {
    expectTypeOf(api.useSubscription$).toBeFunction();
    expectTypeOf(api.useSubscriptionQrl).toBeFunction();
    expectTypeOf(api.useChannel$).toBeFunction();
    expectTypeOf(api.useChannelQrl).toBeFunction();
  });

  it('keeps message types through the hooks and components', () => {
    expectTypeOf(api.useChannel<Chat>).returns.toEqualTypeOf<ChannelHandle<Chat>>();
    expectTypeOf<ChannelHandle<Chat>['messagesSig']['value']>().toEqualTypeOf<Envelope<Chat>[]>();
    expectTypeOf<ReturnType<ChannelHandle<Chat>['publish$']>>().toEqualTypeOf<Promise<PublishAck>>();
    expectTypeOf(api.useConnectionState).returns.toHaveProperty('value').toEqualTypeOf<ConnectionState>();
    const ChatItem = component$<LiveFeedItemProps<Chat>>((props) => <span>{props.message.data.text}</span>);
    // A typed item component is accepted by a LiveFeed of the same type.
    expectTypeOf(api.LiveFeed<Chat>).parameter(0).toHaveProperty('item').toEqualTypeOf<typeof ChatItem | undefined>();
  });
});
