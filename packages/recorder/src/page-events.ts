/** What the recorder does when the page is hidden, shown or left. */
export interface PageHooks {
  visibility(hidden: boolean): void;
  /** The page may be going away (pagehide, or hidden): keep what is not yet stored. */
  leaving(): void;
  fail(code: string, error: unknown): void;
}

/**
 * Listens to the page's visibility and `pagehide`; a handler failing goes to `fail`, never to the page.
 * Answers the function that removes the listeners.
 */
export function watchPage(hooks: PageHooks): () => void {
  const removers: (() => void)[] = [];
  const listen = (target: EventTarget, type: string, fn: () => void) => {
    const h = () => {
      try {
        fn();
      } catch (e) {
        hooks.fail('capture', e);
      }
    };
    target.addEventListener(type, h);
    removers.push(() => target.removeEventListener(type, h));
  };
  if (typeof document !== 'undefined') {
    const doc = document;
    listen(doc, 'visibilitychange', () => {
      const hidden = doc.visibilityState === 'hidden';
      hooks.visibility(hidden);
      if (hidden) hooks.leaving();
    });
    listen(window, 'pagehide', () => hooks.leaving());
  }
  return () => {
    for (const remove of removers.splice(0)) remove();
  };
}
