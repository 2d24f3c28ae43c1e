const cleanups: (() => void)[] = [];

/**
 * Run `fn` when the current story is replaced by another (Storybook keeps the preview iframe between
 * stories): for things a story's loader created outside Qwik, such as a registered client.
 */
export function onStoryCleanup(fn: () => void): void {
  cleanups.push(fn);
}

/** Called by the preview before rendering the next story. */
export function runStoryCleanups(): void {
  for (const fn of cleanups.splice(0)) {
    try {
      fn();
    } catch (error) {
      console.warn('@qwik-realtime/stories: a story cleanup failed', error);
    }
  }
}
