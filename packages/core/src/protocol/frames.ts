import type { ErrorBody } from './codes.js';
import type { Envelope, Position } from './envelope.js';
import type { PresenceFrame, PresenceJoinFrame, PresenceLeaveFrame } from './presence.js';

/** Version of the wire protocol, announced in `hello`. */
export const PROTOCOL_VERSION = 1;

/** Default heartbeat interval announced by the hub, ms. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

/**
 * Longest duration a client takes from the server (`heartbeatMs`, `retryAfterMs`, `Retry-After`,
 * `reconnectWithinMs`), ms: longer announcements count as this long (docs/protocol.md, "Announced durations").
 */
export const MAX_ANNOUNCED_MS = 300_000;

/** Client -> server: authenticate a WebSocket whose upgrade request carried no credentials. */
export interface AuthFrame {
  type: 'auth';
  token: string;
}

/** Client -> server: subscribe to a topic, optionally resuming after `since` or with the last `history` messages. */
export interface SubscribeFrame {
  type: 'subscribe';
  topic: string;
  /** Resume after this position (the last one the client saw). */
  since?: Position;
  /** Replay up to this many latest messages when `since` is not given. */
  history?: number;
  /** Echoed in the `subscribed` or `error` answer. */
  ref?: string;
}

/** Client -> server: stop receiving a topic. */
export interface UnsubscribeFrame {
  type: 'unsubscribe';
  topic: string;
  ref?: string;
}

/** Client -> server: publish on a topic; answered by `ack` or `error` with the same `ref`. */
export interface PublishFrame {
  type: 'publish';
  topic: string;
  data: unknown;
  /** Idempotency key: a retried publish with the same id is acknowledged again but delivered once. */
  id?: string;
  ref: string;
}

/** Either side: keep-alive. The server sends `ping` every `heartbeatMs`; clients may send `ping` and get `pong`. */
export interface PingFrame {
  type: 'ping';
}

/** Answer to a client `ping`. */
export interface PongFrame {
  type: 'pong';
}

/** Every frame a client may send over WebSocket. */
export type ClientFrame =
  | AuthFrame
  | SubscribeFrame
  | UnsubscribeFrame
  | PublishFrame
  | PresenceJoinFrame
  | PresenceLeaveFrame
  | PingFrame
  | PongFrame;

/** Server -> client, first frame/event of every connection. */
export interface HelloFrame {
  type: 'hello';
  connectionId: string;
  /** The server sends a ping at least this often; clients allow some grace on top. */
  heartbeatMs: number;
  protocol: number;
}

/**
 * Server -> client: a subscription is active. `recovered` is false only when the client asked to resume
 * (`since`) and the gap cannot be filled completely (trimmed, expired, other epoch, position not reached);
 * the stream then continues from `position` (the topic's head) and nothing older is replayed.
 */
export interface SubscribedFrame {
  type: 'subscribed';
  topic: string;
  recovered: boolean;
  /** The stream continues right after this position. */
  position: Position;
  /** How many messages are replayed right after this frame. */
  replayed: number;
  ref?: string;
}

/** Server -> client: a subscription ended at the client's request. */
export interface UnsubscribedFrame {
  type: 'unsubscribed';
  topic: string;
  ref?: string;
}

/** Server -> client: a message (WebSocket); over SSE the envelope itself is the `data` of a default event. */
export type MessageFrame = { type: 'message' } & Envelope;

/** Acknowledgement of a publish: where the message landed. */
export interface PublishAck extends Position {
  id: string;
  topic: string;
  timestamp: number;
  /** True when this id was published before; the message was not delivered again. */
  duplicate: boolean;
}

/** Server -> client: answer to a `publish` frame. */
export type AckFrame = { type: 'ack'; ref: string } & PublishAck;

/** Server -> client: an error about one request, one topic, or (before a close) the whole connection. */
export type ErrorFrame = { type: 'error' } & ErrorBody;

/**
 * Server -> client: the server is draining (`hub.close({ drainMs })`); the connection closes right after with
 * `server_shutdown` (3001). Reconnect at a random moment within `reconnectWithinMs`, so a drained fleet does
 * not come back all at once. Over SSE: `event: reconnect` with `data: {"reconnectWithinMs":N}`; over
 * long-poll: the `reconnectWithinMs` field of the answer.
 */
export interface ReconnectFrame {
  type: 'reconnect';
  reconnectWithinMs: number;
}

/**
 * Every frame the server sends over WebSocket. A client that connected with `?batch=1` may get several in one
 * WebSocket message, one JSON object per line (docs/protocol.md, "Batch frames").
 */
export type ServerFrame =
  | ReconnectFrame
  | HelloFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | MessageFrame
  | AckFrame
  | ErrorFrame
  | PresenceFrame
  | PingFrame
  | PongFrame;

/** Body of `POST /publish`. */
export interface PublishRequest {
  topic: string;
  data: unknown;
  /** Idempotency key (see {@link PublishFrame.id}). */
  id?: string;
}

/** Body of a `GET /poll` answer. */
export interface PollResponse {
  /** Send this back as `cursor` on the next poll; re-send the old one if this answer was lost. */
  cursor: string;
  messages: Envelope[];
  /** Present on the first poll and whenever a topic could not be recovered. */
  subscriptions?: SubscribedFrame[];
  heartbeatMs: number;
  /** True when more messages are ready: poll again at once. */
  more: boolean;
  /** The server is draining: poll again at a random moment within this many ms (see {@link ReconnectFrame}). */
  reconnectWithinMs?: number;
  /** Member lists (`sync`) of the `presence=` topics, when they differ from the poll's `presenceTag`. */
  presence?: PresenceFrame[];
  /** Send back as `presenceTag` on the next poll (present with `presence`). */
  presenceTag?: string;
}
