import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PublishAck } from '@qwik-realtime/core/protocol';
import { describe, expectTypeOf, test } from 'vitest';
import { createHub, createNodeHandler } from './index.js';
import type { AuthContext, Hub, HubAction, SessionHandle } from './index.js';
import { qwikCityHandlers } from './qwik-city.js';
import type { RequestEventLike } from './qwik-city.js';

interface User {
  id: string;
  expiresAt?: number;
}

describe('public types', () => {
  test('the principal type flows from authenticate to authorize, sessions and onConnection', () => {
    const hub = createHub<User>({
      authenticate: (ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<AuthContext>();
        return ctx.token ? { id: ctx.token } : null;
      },
      authorize: (user, action, topic) => {
        expectTypeOf(user).toEqualTypeOf<User>();
        expectTypeOf(action).toEqualTypeOf<HubAction>();
        return topic.startsWith(`user:${user.id}`) || action === 'subscribe';
      },
    });
    expectTypeOf(hub).toEqualTypeOf<Hub<User>>();
    expectTypeOf(hub.sessions()).toEqualTypeOf<SessionHandle<User>[]>();
    expectTypeOf(hub.publish).returns.toEqualTypeOf<Promise<PublishAck>>();
    void hub.close();
  });

  test('handlers are plain functions', () => {
    const hub = createHub();
    expectTypeOf(createNodeHandler(hub)).parameters.toEqualTypeOf<[IncomingMessage, ServerResponse, ((error?: unknown) => void)?]>();
    expectTypeOf(qwikCityHandlers(hub).onGet).parameter(0).toEqualTypeOf<RequestEventLike>();
    void hub.close();
  });
});
