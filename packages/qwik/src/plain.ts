import type { ClientError, ConnectionState, TopicState } from '@qwik-realtime/core';

/** A copy of `error` with only the documented fields, safe for Qwik state whatever the core handed us. */
export function plainError({ code, message, retry, topic }: ClientError): ClientError {
  return topic === undefined ? { code, message, retry } : { code, message, retry, topic };
}

/** A plain copy of a connection state (the core may reuse or freeze its object). */
export function plainState({ status, transport, attempt, nextRetryAt, error }: ConnectionState): ConnectionState {
  return { status, transport, attempt, nextRetryAt, error: error && plainError(error) };
}

/** A plain copy of a topic's state. */
export function plainTopicState({ topic, status, error, recovered, nextRetryAt }: TopicState): TopicState {
  return { topic, status, error: error && plainError(error), recovered, nextRetryAt };
}

/** The signals both hooks mirror the connection into. */
export interface StatusSignals {
  stateSig: { value: ConnectionState };
  errorSig: { value: ClientError | null };
  recoveredSig: { value: boolean };
  conflatedSig: { value: number };
}

/**
 * Callbacks for `followTopics` that keep state, last error, the recovered flag and the count of conflated
 * (dropped) messages as plain data in signals.
 */
export function mirrorStatus({ stateSig, errorSig, recoveredSig, conflatedSig }: StatusSignals) {
  return {
    onState(state: ConnectionState) {
      stateSig.value = plainState(state);
      if (state.error) errorSig.value = plainError(state.error);
    },
    onSubscribed(event: { recovered: boolean }) {
      if (!event.recovered) recoveredSig.value = false;
    },
    onError(error: ClientError) {
      errorSig.value = plainError(error);
    },
    onConflated(event: { dropped: number }) {
      conflatedSig.value += event.dropped;
    },
  };
}
