import type { ConnectionState } from '@qwik-realtime/core';
import { describe, expect, it } from 'vitest';
import { secondsUntil, statusKind, statusText } from './status-kind.js';

const state = (patch: Partial<ConnectionState>): ConnectionState => ({
  status: 'idle',
  transport: null,
  attempt: 0,
  nextRetryAt: null,
  error: null,
  ...patch,
});

describe('statusKind', () => {
  it.each([
    [state({ status: 'idle' }), 'connecting'],
    [state({ status: 'connecting' }), 'connecting'],
    [state({ status: 'open', transport: 'sse' }), 'live'],
    [state({ status: 'reconnecting', attempt: 2, nextRetryAt: 5000 }), 'reconnecting'],
    [state({ status: 'closed' }), 'offline'],
    [state({ status: 'closed', error: { code: 'unauthorized', message: 'no', retry: 'no_retry' } }), 'error'],
  ] as const)('%j -> %s', (input, kind) => {
    expect(statusKind(input)).toBe(kind);
  });

  it('says offline when the browser has no network, whatever the state', () => {
    expect(statusKind(state({ status: 'open' }), false)).toBe('offline');
  });
});

describe('statusText', () => {
  it('counts down whole seconds to the next attempt', () => {
    const s = state({ status: 'reconnecting', nextRetryAt: 10_000 });
    expect(statusText('reconnecting', s, 6_100)).toBe('Reconnecting in 4 s');
    expect(secondsUntil(10_000, 12_000)).toBe(0);
  });

  it('names the error', () => {
    const s = state({ status: 'closed', error: { code: 'forbidden', message: 'topic refused', retry: 'no_retry' } });
    expect(statusText('error', s, 0)).toBe('Error: topic refused');
  });
});
