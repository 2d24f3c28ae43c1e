import { component$, Slot, useSignal, useVisibleTask$ } from '@builder.io/qwik';

/**
 * Render the slot only once this placeholder scrolls into view.
 *
 * Why the stories need it: Qwik honours `useVisibleTask$`'s `intersection-observer` strategy for
 * server-rendered components (the qwikloader wakes them when they become visible), but runs the visible
 * tasks of *client-rendered* components at once. Storybook renders every story in the browser, so the
 * library's built-in lazy connect is reproduced here the way a client-rendered route would need it.
 */
export const WhenVisible = component$<{ minHeight?: string }>((props) => {
  const shownSig = useSignal(false);
  const anchorSig = useSignal<Element>();
  // Observing the viewport is browser-only; the task itself must run at once to start observing.
  useVisibleTask$(
    function showWhenVisible({ cleanup }) {
      const anchor = anchorSig.value;
      if (!anchor) return;
      const observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          shownSig.value = true;
          observer.disconnect();
        }
      });
      observer.observe(anchor);
      cleanup(() => observer.disconnect());
    },
    { strategy: 'document-ready' },
  );
  return (
    <div ref={anchorSig} style={{ minHeight: props.minHeight ?? '1px' }} data-visible={shownSig.value ? 'true' : 'false'}>
      {shownSig.value && <Slot />}
    </div>
  );
});
