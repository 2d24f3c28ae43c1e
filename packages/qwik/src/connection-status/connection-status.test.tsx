import { within } from '@testing-library/dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveFeed } from '../live-feed/live-feed.js';
import { harness, mount, type Harness } from '../test-helpers.js';
import { ConnectionStatus } from './connection-status.js';

describe('ConnectionStatus', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.dispose());

  it('GIVEN a page with a feed WHEN the connection opens, drops and comes back THEN the badge says live again on a new connection', async () => {
    const { screen, until, cleanup } = await mount(
      <div>
        <ConnectionStatus />
        <LiveFeed topic="news" />
      </div>,
    );
    const badge = within(screen).getByRole('status', { hidden: true });
    expect(badge.getAttribute('aria-live')).toBe('polite');
    await until(() => expect(badge.getAttribute('data-state')).toBe('live'));
    expect(badge.textContent).toBe('Live');
    h.server.drop('disconnected');
    await until(() => expect(h.server.connected).toBe(true));
    await until(() => expect(badge.getAttribute('data-state')).toBe('live'));
    expect(h.server.attempts).toBeGreaterThanOrEqual(2);
    await cleanup();
  });

  it('GIVEN a badge alone WHEN nothing is subscribed THEN it says not connected, and live once a feed subscribes', async () => {
    const { screen, until, cleanup } = await mount(<ConnectionStatus />);
    const badge = within(screen).getByRole('status', { hidden: true });
    await until(() => expect(badge.getAttribute('data-state')).toBe('idle'));
    expect(badge.textContent).toBe('Not connected');
    const sub = h.client.subscribe('late', {});
    await until(() => expect(badge.getAttribute('data-state')).toBe('live'));
    sub.unsubscribe();
    await until(() => expect(badge.getAttribute('data-state')).toBe('idle'));
    await cleanup();
  });

  it('GIVEN a scheduled retry WHEN rendered THEN it counts the seconds down', async () => {
    const { screen, until, cleanup } = await mount(<ConnectionStatus />);
    const badge = within(screen).getByRole('status', { hidden: true });
    h.server.setState({ status: 'reconnecting', attempt: 3, nextRetryAt: Date.now() + 3500 });
    await until(() => expect(badge.getAttribute('data-state')).toBe('reconnecting'));
    expect(badge.textContent).toBe('Reconnecting in 4 s');
    await until(() => expect(badge.textContent).toBe('Reconnecting in 3 s'));
    await cleanup();
  });

  it('GIVEN a refusal for good WHEN rendered THEN it shows the error and the error slot; offline otherwise', async () => {
    const { screen, until, cleanup } = await mount(
      <ConnectionStatus labels={{ offline: 'No connection' }}>
        <em q:slot="error">Please sign in again.</em>
        <i>always</i>
      </ConnectionStatus>,
    );
    const badge = within(screen).getByRole('status', { hidden: true });
    h.server.setState({ status: 'closed', error: { code: 'unauthorized', message: 'bad token', retry: 'no_retry' } });
    await until(() => expect(badge.getAttribute('data-state')).toBe('error'));
    expect(badge.textContent).toBe('Error: bad tokenPlease sign in again.always');
    h.server.setState({ status: 'closed', error: null });
    await until(() => expect(badge.getAttribute('data-state')).toBe('offline'));
    expect(badge.textContent).toBe('No connectionalways');
    await cleanup();
  });
});
