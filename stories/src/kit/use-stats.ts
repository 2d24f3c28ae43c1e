import { useSignal, useVisibleTask$, type Signal } from '@builder.io/qwik';
import { readStats, type StandInStats } from './control';

/**
 * The stand-in broker's stats, refreshed every `everyMs` while the story is shown (`null` until the first
 * answer). What the server sees — connection count, epoch, tokens — next to what the component shows.
 */
export function useStandInStats(everyMs = 500): Readonly<Signal<StandInStats | null>> {
  const statsSig = useSignal<StandInStats | null>(null);
  // Polling the stand-in's control API is browser work; document-ready so it starts with the story.
  useVisibleTask$(
    function pollStats({ cleanup }) {
      let stopped = false;
      const tick = async () => {
        try {
          const stats = await readStats();
          if (!stopped) statsSig.value = stats;
        } catch {
          // The stand-in may be "down" (restart fault): the next tick tries again.
        }
      };
      void tick();
      const timer = setInterval(() => void tick(), everyMs);
      cleanup(() => {
        stopped = true;
        clearInterval(timer);
      });
    },
    { strategy: 'document-ready' },
  );
  return statsSig;
}
