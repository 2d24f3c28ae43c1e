export { positionOf } from './envelope.js';
export {
  CLOSE_CODES,
  HTTP_STATUS,
  retryPolicyOf,
  retryPolicyOfCloseCode,
  errorCodeOfCloseCode,
  errorCodeOfStatus,
} from './codes.js';
export { PROTOCOL_VERSION, DEFAULT_HEARTBEAT_MS } from './frames.js';
export { MAX_PRESENCE_DATA_BYTES } from './presence.js';
export { isValidTopic, MAX_TOPIC_LENGTH } from './topic.js';
export { encodeCursor, decodeCursor, isValidEpoch, createPositions, positionOfTopic } from './cursor.js';

export type { Position, Envelope } from './envelope.js';
export type { ErrorCode, RetryPolicy, ErrorBody } from './codes.js';
export type {
  AuthFrame,
  SubscribeFrame,
  UnsubscribeFrame,
  PublishFrame,
  PingFrame,
  PongFrame,
  ClientFrame,
  HelloFrame,
  SubscribedFrame,
  UnsubscribedFrame,
  MessageFrame,
  PublishAck,
  AckFrame,
  ErrorFrame,
  ServerFrame,
  ReconnectFrame,
  PublishRequest,
  PollResponse,
} from './frames.js';
export type { Positions } from './cursor.js';
export type { PresenceMember, PresenceJoinFrame, PresenceLeaveFrame, PresenceFrame, PresenceRequest } from './presence.js';
