import type { Position } from '@qwik-realtime/core/protocol';

/*
 * Reading a topic nobody published to must not store anything (a read of a random name would otherwise
 * cost memory or a key forever), yet its answer needs a head position a client can resume from. That head
 * is offset 0 in an epoch that records the read time: `v0` + the time in base 36 (9 characters) + a tag
 * (the broker instance, where a restart loses everything). Random run epochs are 8 characters, so the two
 * never collide.
 */
const MARK = 'v0';
const TIME_CHARS = 9;

/** The head epoch of a topic with no stored state, read at `now`. */
export function unknownTopicEpoch(now: number, tag = ''): string {
  return `${MARK}${Math.max(0, Math.floor(now)).toString(36).padStart(TIME_CHARS, '0')}${tag}`.slice(0, 64);
}

/**
 * Whether `since` is such a head, read no longer than `windowMs` ago: the client saw nothing of the topic,
 * and every run that began since then still has its whole history unless it is older than the window, so
 * it may resume from offset 0 of the topic's current run. (A run created and lost entirely within the
 * window, e.g. a flushed Redis, is the one case this cannot see.)
 */
export function resumesFromNothing(since: Position, now: number, windowMs: number, tag = ''): boolean {
  if (since.offset !== 0 || !since.epoch.startsWith(MARK)) return false;
  if (since.epoch.slice(MARK.length + TIME_CHARS) !== tag.slice(0, 64 - MARK.length - TIME_CHARS)) return false;
  const readAt = parseInt(since.epoch.slice(MARK.length, MARK.length + TIME_CHARS), 36);
  return Number.isFinite(readAt) && readAt <= now + 1000 && now - readAt <= windowMs;
}
