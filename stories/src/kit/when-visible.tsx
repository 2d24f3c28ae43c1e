import { useSignal, useVisibleTask$, type Signal } from '@builder.io/qwik';

/**
 * A ref to put on a placeholder and a signal that turns true once it scrolls into view; render the live
 * component conditionally on it.
 *
 * Why the stories need it: Qwik honours `useVisibleTask$`'s `intersection-observer` strategy for
 * server-rendered components (the qwikloader wakes them when they become visible), but runs the visible
 * tasks of *client-rendered* components at once. Storybook renders every story in the browser, so the
 * library's built-in lazy connect is reproduced here the way a client-rendered route would need it. (A
 * `<Slot>` wrapper would not do: Qwik still renders unprojected children, visible tasks included.)
 */
export function useWhenVisible(): { ref: Signal<Element | undefined>; visibleSig: Readonly<Signal<boolean>> } {
  const ref = useSignal<Element>();
  const visibleSig = useSignal(false);
  // Observing the viewport is browser-only; the task must run at once to start observing.
  useVisibleTask$(
    function showWhenVisible({ cleanup }) {
      const anchor = ref.value;
      if (!anchor) return;
      const observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          visibleSig.value = true;
          observer.disconnect();
        }
      });
      observer.observe(anchor);
      cleanup(() => observer.disconnect());
    },
    { strategy: 'document-ready' },
  );
  return { ref, visibleSig };
}
