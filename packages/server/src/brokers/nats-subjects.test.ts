import { describe, expect, test } from 'vitest';
import { assertSubjectPrefix, streamNameOf, tokenToTopic, topicToToken } from './nats-subjects.js';

describe('NATS subject mapping', () => {
  test.each([
    ['prices:BTC', 'prices_cBTC'],
    ['a.b/c', 'a_db_sc'],
    ['snake_case', 'snake_ucase'],
    ['_d', '_ud'],
    ['plain-Topic9', 'plain-Topic9'],
  ])('GIVEN topic %s THEN one token %s that maps back', (topic, token) => {
    expect(topicToToken(topic)).toBe(token);
    expect(tokenToTopic(token)).toBe(topic);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  test('GIVEN every pair of distinct tricky topics THEN their tokens differ (reversible)', () => {
    const topics = ['a_b', 'a.b', 'a:b', 'a/b', 'a_ub', 'a_db', 'a__b', 'a_._b', '_', '.', '__', '_u'];
    const tokens = topics.map(topicToToken);
    expect(new Set(tokens).size).toBe(topics.length);
    expect(tokens.map(tokenToTopic)).toEqual(topics);
  });

  test('GIVEN a token not made by the mapping THEN decoding refuses it', () => {
    expect(() => tokenToTopic('a_x')).toThrow(/not a topic token/);
    expect(() => tokenToTopic('a_')).toThrow(/not a topic token/);
  });

  test('GIVEN prefixes THEN only dot-separated safe tokens pass and stream names drop the dots', () => {
    expect(assertSubjectPrefix('myapp.realtime')).toBe('myapp.realtime');
    for (const bad of ['', 'a..b', 'a.*', 'a.>', 'has space', '.a']) expect(() => assertSubjectPrefix(bad)).toThrow(/prefix/);
    expect(streamNameOf('myapp.realtime')).toBe('QR_myapp_realtime');
  });
});
