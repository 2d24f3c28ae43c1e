/** Unmasked server-to-client WebSocket text frames, built once and written as plain bytes. */

const NEWLINE = 0x0a;

/**
 * One text frame (FIN set, no mask) whose payload is `payloads` joined by `\n`: a single payload is a plain
 * frame, several are a batch frame (docs/protocol.md, "Batch frames").
 */
export function wsTextFrame(payloads: readonly Buffer[]): Buffer {
  let length = payloads.length - 1;
  for (const payload of payloads) length += payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (headerLength === 2) frame[1] = length;
  else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  let offset = headerLength;
  payloads.forEach((payload, index) => {
    if (index > 0) frame[offset++] = NEWLINE;
    offset += payload.copy(frame, offset);
  });
  return frame;
}

/** Largest batch frame payload; a longer run of frames is split into several batch frames. */
export const MAX_BATCH_PAYLOAD = 64 * 1024;

/** Batch frames of a run of payloads: as few frames as fit {@link MAX_BATCH_PAYLOAD} each (one payload may exceed it alone). */
export function wsBatchFrames(payloads: readonly Buffer[]): Buffer {
  const frames: Buffer[] = [];
  let start = 0;
  let size = 0;
  for (let i = 0; i < payloads.length; i++) {
    const added = payloads[i]!.length + (i > start ? 1 : 0);
    if (i > start && size + added > MAX_BATCH_PAYLOAD) {
      frames.push(wsTextFrame(payloads.slice(start, i)));
      start = i;
      size = payloads[i]!.length;
    } else size += added;
  }
  frames.push(wsTextFrame(start === 0 ? payloads : payloads.slice(start)));
  return frames.length === 1 ? frames[0]! : Buffer.concat(frames);
}
