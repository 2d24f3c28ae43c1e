import { component$ } from '@builder.io/qwik';
import type { ActionConstructor } from '@builder.io/qwik-city';
import type { ConnectionState, TopicState, Transport } from '@qwik-realtime/core';
import type { Envelope, PublishAck } from '@qwik-realtime/core/protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as api from './index.js';
import type { ChannelHandle, HostQrl, LiveFeedItemProps, RealtimeProviderProps, TransportQrl } from './index.js';
import * as server from './server/index.js';
import type { HubLike } from './server/index.js';
import * as defaults from './transports/default.js';
import * as fetchSse from './transports/fetch-sse.js';
import * as longPoll from './transports/long-poll.js';
import * as sse from './transports/sse.js';
import * as websocket from './transports/websocket.js';
import * as worker from './worker.js';

/** What `export const usePost = routeAction$(publishAction(hub, ...))` declares (types only, never called). */
function declarePost(routeAction: ActionConstructor, hub: HubLike) {
  return routeAction(server.publishAction(hub, { topic: 'chat' }));
}

interface Chat {
  text: string;
}

describe('public API', () => {
  // The API report: a name added or removed here is a deliberate change of the published API.
  it('exports exactly these values from each entry point', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ConnectionStatus',
      'LiveFeed',
      'PresenceList',
      'RealtimeProvider',
      'memberLabel',
      'reconnect',
      'registerClient',
      'statusKind',
      'useChannel',
      'useChannel$',
      'useChannelQrl',
      'useConnectionState',
      'usePresence',
      'usePresence$',
      'usePresenceQrl',
      'useSubscription$',
      'useSubscriptionQrl',
    ]);
    expect(Object.keys(server).sort()).toEqual(['loadFeed', 'publishAction']);
    expect([websocket, sse, fetchSse, longPoll, defaults].map((entry) => Object.keys(entry))).toEqual([
      ['websocket'],
      ['sse'],
      ['fetchSse'],
      ['longPoll'],
      ['defaultTransports'],
    ]);
    expect(Object.keys(worker)).toEqual(['workerHost']);
  });

  it('exports each $ hook next to its Qrl form (the optimizer rewrites one into the other)', () => {
    expectTypeOf(api.useSubscription$).toBeFunction();
    expectTypeOf(api.useSubscriptionQrl).toBeFunction();
    expectTypeOf(api.useChannel$).toBeFunction();
    expectTypeOf(api.useChannelQrl).toBeFunction();
  });

  it('keeps message types through the hooks and components', () => {
    expectTypeOf(api.useChannel<Chat>).returns.toEqualTypeOf<ChannelHandle<Chat>>();
    expectTypeOf<ChannelHandle<Chat>['messagesSig']['value']>().toEqualTypeOf<Envelope<Chat>[]>();
    expectTypeOf<ChannelHandle<Chat>['topicStateSig']['value']>().toEqualTypeOf<TopicState>();
    expectTypeOf<ReturnType<ChannelHandle<Chat>['publish$']>>().toEqualTypeOf<Promise<PublishAck>>();
    expectTypeOf(api.useConnectionState).returns.toHaveProperty('value').toEqualTypeOf<ConnectionState>();
    const ChatItem = component$<LiveFeedItemProps<Chat>>((props) => <span>{props.message.data.text}</span>);
    // A typed item component is accepted by a LiveFeed of the same type.
    expectTypeOf(api.LiveFeed<Chat>).parameter(0).toHaveProperty('item').toEqualTypeOf<typeof ChatItem | undefined>();
  });

  it('takes transports as values and functions as QRLs', () => {
    expectTypeOf(sse.sse).toEqualTypeOf<TransportQrl>();
    expectTypeOf<ReturnType<TransportQrl>>().toEqualTypeOf<Promise<Transport>>();
    expectTypeOf<RealtimeProviderProps['transports']>().toEqualTypeOf<TransportQrl[]>();
    expectTypeOf<RealtimeProviderProps>().toHaveProperty('getToken$');
    expectTypeOf<RealtimeProviderProps>().toHaveProperty('debug$');
    // The worker host is a value too: importing `workerHost` is what bundles it.
    expectTypeOf(worker.workerHost).toEqualTypeOf<HostQrl>();
    expectTypeOf<RealtimeProviderProps['host']>().toEqualTypeOf<HostQrl | undefined>();
  });

  it('types publishAction so a routeAction$ can read its failure', () => {
    type Value = ReturnType<ReturnType<typeof declarePost>>['value'];
    expectTypeOf<NonNullable<Value>['failed']>().toEqualTypeOf<true | undefined>();
    expectTypeOf<NonNullable<Value>['message']>().toEqualTypeOf<string | undefined>();
  });
});
