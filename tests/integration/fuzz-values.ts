/**
 * fast-check arbitraries for the pieces every fuzz input is made of: topic names (valid, empty, huge,
 * unicode, `Object.prototype` keys, cursor syntax), positions, cursors, tokens and junk JSON values.
 * Nothing here ever names {@link HONEST_TOPIC} for writing: the honest subscribers' sequence must stay theirs.
 */
import fc from 'fast-check';
import { HONEST_TOPIC, TOKENS } from './fuzz-hub.js';

/**
 * Input classes that can be switched off while the server bug they trigger is being fixed (the suite
 * prints which ones are off). Empty: every generator is enabled.
 */
export const NARROWED: ReadonlySet<'proto-topics' | 'bad-host'> = new Set([]);

/** Keys of `Object.prototype` (and friends) that break code using plain objects as maps. */
export const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
  'prototype',
] as const;

/** A valid topic in the fuzzer's own namespace (`fz/...`), 3-128 characters. */
export const validTopic = fc.oneof(
  { arbitrary: fc.stringMatching(/^fz\/[A-Za-z0-9_\-:/.]{0,12}$/), weight: 8 },
  { arbitrary: fc.constant(`fz/${'a'.repeat(125)}`), weight: 1 },
);

const protoTopic = fc.constantFrom(...PROTO_KEYS);

/** Topic names, mostly invalid: empty, over 128, unicode, lone surrogates, cursor/query syntax, proto keys. */
export const topicName: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: validTopic, weight: 6 },
  { arbitrary: fc.constant(''), weight: 1 },
  { arbitrary: fc.integer({ min: 129, max: 3000 }).map((n) => 'x'.repeat(n)), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), weight: 1 },
  { arbitrary: fc.constantFrom('a;b=1', 'a,b', 'a=1', 'a|b', '../x', 'a b', 'a\nb', '%00', '\u0000', '.', '/', ':'), weight: 1 },
  { arbitrary: NARROWED.has('proto-topics') ? validTopic : protoTopic, weight: 3 },
);

const validEpoch = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);

/** An offset: small, at the limits of the cursor syntax, or not a safe integer at all. */
export const offset = fc.oneof(
  fc.nat({ max: 50 }),
  fc.constantFrom(0, 999_999_999_999_999, Number.MAX_SAFE_INTEGER, -1, 1.5, Number.NaN, 1e308),
);

/** A `since` position as JSON: valid shape or junk. */
export const position: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ offset: fc.nat({ max: 50 }), epoch: validEpoch }),
  fc.record({ offset, epoch: fc.oneof(validEpoch, fc.string({ maxLength: 80 }), fc.integer()) }),
  fc.anything({ maxDepth: 2 }),
);

/** Cursor strings: encoded positions (any topics, epochs, indexes), cursor-like junk, random text. */
export const cursor: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.array(fc.oneof(validEpoch, fc.string({ maxLength: 70 })), { maxLength: 3 }),
      fc.array(fc.tuple(fc.oneof(topicName, fc.constant(HONEST_TOPIC)), fc.oneof(fc.nat({ max: 60 }).map(String), fc.string({ maxLength: 18 })), fc.nat({ max: 4 })), {
        maxLength: 5,
      }),
    )
    .map(([epochs, entries]) => `${epochs.join('|')};${entries.map(([t, o, e]) => (e === 0 ? `${t}=${o}` : `${t}=${o}.${e}`)).join(',')}`),
  fc.string({ maxLength: 60 }),
  fc.constantFrom('', ';', '|;', ';=', ';a=', ';=1', 'e;a=1.9999', 'e;a=1,a=2', 'e;__proto__=1', 'e;constructor=3', 'e;fz/a=1.1'),
);

/** Tokens: the known ones (valid, throwing, expired) and junk. */
export const token = fc.oneof(
  fc.constantFrom(TOKENS.good, TOKENS.good, TOKENS.throws, TOKENS.expired),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
);

/** Any JSON value, small. */
export const jsonValue = fc.jsonValue({ maxDepth: 3 });

/** Whether a value names the honest topic (inputs that would write to it are dropped). */
export const touchesHonest = (topic: unknown) => topic === HONEST_TOPIC;
