import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFrameBuffer } from './frame-buffer.js';

describe('createFrameBuffer', () => {
  let frames: FrameRequestCallback[] = [];
  beforeEach(() => {
    frames = [];
    vi.useFakeTimers();
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    vi.stubGlobal('cancelAnimationFrame', () => undefined);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('applies everything pushed before a frame in one batch, in order', () => {
    const batches: number[][] = [];
    const buffer = createFrameBuffer<number>((items) => batches.push(items));
    buffer.push([1, 2]);
    buffer.push([3]);
    expect(frames).toHaveLength(1);
    frames[0]!(0);
    buffer.push([4]);
    frames[1]!(0);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('still flushes on a timer when no frame comes (hidden tab)', async () => {
    const batches: number[][] = [];
    const buffer = createFrameBuffer<number>((items) => batches.push(items));
    buffer.push([1]);
    await vi.advanceTimersByTimeAsync(100);
    expect(batches).toEqual([[1]]);
    frames[0]!(0);
    expect(batches).toEqual([[1]]);
  });

  it('keeps only the newest `cap` pending items', () => {
    const batches: number[][] = [];
    const buffer = createFrameBuffer<number>((items) => batches.push(items), 2);
    buffer.push([1, 2, 3]);
    buffer.push([4]);
    frames[0]!(0);
    expect(batches).toEqual([[3, 4]]);
  });

  it('applies nothing after cancel', async () => {
    const apply = vi.fn();
    const buffer = createFrameBuffer<number>(apply);
    buffer.push([1]);
    buffer.cancel();
    buffer.push([2]);
    await vi.advanceTimersByTimeAsync(500);
    expect(apply).not.toHaveBeenCalled();
  });
});
