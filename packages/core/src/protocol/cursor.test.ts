import { describe, expect, test } from 'vitest';
import { createPositions, decodeCursor, encodeCursor, positionOfTopic } from './cursor.js';

describe('cursor', () => {
  test('round-trips positions across several epochs', () => {
    const positions = {
      'prices:BTC': { offset: 12, epoch: 'abc' },
      'prices:ETH': { offset: 0, epoch: 'abc' },
      'chat/room.1': { offset: 7, epoch: 'other-epoch' },
    };
    const cursor = encodeCursor(positions);
    expect(cursor).toBe('abc|other-epoch;prices:BTC=12,prices:ETH=0,chat/room.1=7.1');
    expect(decodeCursor(cursor)).toEqual(positions);
  });

  test('empty positions', () => {
    expect(decodeCursor(encodeCursor({}))).toEqual({});
  });

  test.each(['', 'nosemicolon', 'e;t=', 'e;=5', 'e;t=5.3', 'e;t=x', 'bad epoch!;t=1', 'e;bad topic=1', 'e;t=1e5'])(
    'rejects malformed cursor %j',
    (cursor) => {
      expect(decodeCursor(cursor)).toBeUndefined();
    },
  );
});

describe('cursor with topics named like Object.prototype keys', () => {
  test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('%s round-trips as an ordinary topic', (topic) => {
    const positions = createPositions();
    positions[topic] = { offset: 3, epoch: 'e' };
    const cursor = encodeCursor(positions);
    expect(cursor).toBe(`e;${topic}=3`);
    const decoded = decodeCursor(cursor)!;
    expect(Object.keys(decoded)).toEqual([topic]);
    expect(positionOfTopic(decoded, topic)).toEqual({ offset: 3, epoch: 'e' });
  });

  test('a topic absent from the cursor has no position, even when Object.prototype has that key', () => {
    expect(positionOfTopic(decodeCursor('e;a=1')!, 'constructor')).toBeUndefined();
  });
});
