/** How the stand-in broker answers `authenticate`. */
export type AuthMode = 'open' | 'reject' | 'expire';

/** Who is connected, as the stand-in's `authenticate` sees it. */
export interface StandInPrincipal {
  token: string | null;
  expiresAt?: number;
}

/** One credential the server saw, newest last. */
export interface SeenToken {
  token: string | null;
  transport: string;
  accepted: boolean;
}

/** The stand-in's auth hook and its switches. */
export interface AuthFaults {
  readonly mode: AuthMode;
  /** Lifetime of a principal in `expire` mode, ms. */
  readonly expireMs: number;
  set(mode: AuthMode, expireMs?: number): void;
  /** The last credentials presented (bounded), to show "a fresh token per attempt". */
  seen(): SeenToken[];
  /** Attempts so far, and how many were refused. */
  stats(): { attempts: number; refused: number };
  /** The hub's `authenticate` hook. */
  authenticate(ctx: { token?: string; transport: string }): StandInPrincipal | null;
}

const KEEP = 20;

/**
 * Auth for the stand-in broker: `open` accepts everyone (and records the token if one came), `reject`
 * refuses every attempt (the client must stop retrying), `expire` accepts but the principal expires after
 * `expireMs`, so the hub closes with `token_expired` and the client reconnects at once with a fresh token.
 */
export function createAuthFaults(): AuthFaults {
  let mode: AuthMode = 'open';
  let expireMs = 3000;
  let attempts = 0;
  let refused = 0;
  const seen: SeenToken[] = [];

  return {
    get mode() {
      return mode;
    },
    get expireMs() {
      return expireMs;
    },
    set(next, ms) {
      if (next !== 'open' && next !== 'reject' && next !== 'expire') throw new Error(`@qwik-realtime/stories: unknown auth mode ${JSON.stringify(next)}`);
      mode = next;
      if (ms !== undefined && Number.isFinite(ms) && ms > 0) expireMs = ms;
    },
    seen: () => seen.slice(),
    stats: () => ({ attempts, refused }),
    authenticate({ token, transport }) {
      const accepted = mode !== 'reject';
      // Publishes are not connection attempts, and a WebSocket upgrade without a token is only the preflight
      // of the `auth` frame that follows: keep both out of the list the auth story shows.
      if (transport !== 'publish' && !(transport === 'ws' && token === undefined)) {
        attempts++;
        if (!accepted) refused++;
        seen.push({ token: token ?? null, transport, accepted });
        if (seen.length > KEEP) seen.shift();
      }
      if (!accepted) return null;
      return mode === 'expire' ? { token: token ?? null, expiresAt: Date.now() + expireMs } : { token: token ?? null };
    },
  };
}
