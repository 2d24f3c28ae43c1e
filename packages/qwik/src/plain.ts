import type { ClientError, ConnectionState, TopicState } from '@qwik-realtime/core';

/** A copy of `error` with only the documented fields, safe for Qwik state whatever the core handed us. */
export function plainError(error: ClientError): ClientError {
  const copy: ClientError = { code: error.code, message: error.message, retry: error.retry };
  if (error.topic !== undefined) copy.topic = error.topic;
  return copy;
}

/** A plain copy of a connection state (the core may reuse or freeze its object). */
export function plainState(state: ConnectionState): ConnectionState {
  return {
    status: state.status,
    transport: state.transport,
    attempt: state.attempt,
    nextRetryAt: state.nextRetryAt,
    error: state.error ? plainError(state.error) : null,
  };
}

/** A plain copy of a topic's state. */
export function plainTopicState(state: TopicState): TopicState {
  return {
    topic: state.topic,
    status: state.status,
    error: state.error ? plainError(state.error) : null,
    recovered: state.recovered,
    nextRetryAt: state.nextRetryAt,
  };
}

/** The signals both hooks mirror the connection into. */
export interface StatusSignals {
  stateSig: { value: ConnectionState };
  errorSig: { value: ClientError | null };
  recoveredSig: { value: boolean };
}

/** Callbacks for `followTopics` that keep state, last error and the recovered flag as plain data in signals. */
export function mirrorStatus({ stateSig, errorSig, recoveredSig }: StatusSignals) {
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
  };
}
