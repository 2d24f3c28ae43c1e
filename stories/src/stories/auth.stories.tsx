import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { AuthDemo } from '../demos/auth';

const meta: Meta = {
  title: 'Patterns/Auth',
  component: AuthDemo,
  tags: ['autodocs'],
  parameters: {
    docs: {
      description: {
        component:
          '`getToken()` runs before every attempt (fetch-SSE sends `Authorization: Bearer`, WebSocket a first `auth` frame; nothing in the URL). A client with a function in its options is built in the browser and handed to the bindings with `registerClient(config, client)`. `token_expired` reconnects at once with a fresh token; `unauthorized` stops retrying.',
      },
    },
  },
};
export default meta;

/** Drop, expire, reject, accept: watch the tokens the server sees. */
export const TokenPerAttempt: StoryObj = { name: 'Token per attempt, refresh, refusal' };
