import type { TransportName } from './options.js';

/**
 * Who is connected, as returned by the app's `authenticate` hook. Any object; `expiresAt` (ms since the
 * Unix epoch) makes the hub close the connection with `token_expired` at that time.
 */
export type Principal = object & {
  expiresAt?: number;
};

/** The parts of a request the hub and the auth hooks look at, for Node and web (Fetch) requests alike. */
export interface RequestInfo {
  method: string;
  url: URL;
  /** Header lookup, case-insensitive; `null` when absent. */
  header(name: string): string | null;
  /** Peer address when known (rate limits, logs). */
  remoteAddress?: string;
}

/** What `authenticate` receives. */
export interface AuthContext {
  /** The HTTP request (for WebSocket: the upgrade request). */
  request: RequestInfo;
  /** Which transport is connecting. `publish` is `POST /publish`. */
  transport: TransportName | 'publish';
  /** Cookies of the request, parsed. */
  cookies: Record<string, string>;
  /**
   * The credential the client presented, if any: the `Authorization: Bearer` token, the token of the first
   * WebSocket `auth` frame, or `?token=` when `allowQueryToken` is on.
   */
  token?: string;
}

/** Parse a `Cookie` header (malformed pairs are skipped). */
export function parseCookies(header: string | null): Record<string, string> {
  // No prototype: a cookie named `__proto__` or `constructor` is just a cookie.
  const cookies = Object.create(null) as Record<string, string>;
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

/** Build the {@link AuthContext} of a request; `frameToken` is the token of a WebSocket `auth` frame. */
export function authContextOf(
  request: RequestInfo,
  transport: AuthContext['transport'],
  allowQueryToken: boolean,
  frameToken?: string,
): AuthContext {
  const ctx: AuthContext = { request, transport, cookies: parseCookies(request.header('cookie')) };
  const token = frameToken ?? bearerToken(request.header('authorization')) ?? (allowQueryToken ? request.url.searchParams.get('token') ?? undefined : undefined);
  if (token !== undefined) ctx.token = token;
  return ctx;
}

/** Whether the request itself carries an explicit credential (a bearer header, or an allowed query token). */
export function hasExplicitCredential(request: RequestInfo, allowQueryToken: boolean): boolean {
  return bearerToken(request.header('authorization')) !== undefined || (allowQueryToken && request.url.searchParams.has('token'));
}

function bearerToken(header: string | null): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}
