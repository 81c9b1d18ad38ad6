import { useState } from 'react';
import { Button } from 'react-aria-components';

/**
 * Paging by the server's opaque cursors: the cursors of the pages walked so far, so "Previous page"
 * goes back without the server keeping anything. `reset()` starts again (a filter changed).
 */
export function usePager() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    depth: cursors.length,
    next: (cursor: string) => setCursors((c) => [...c, cursor]),
    previous: () => setCursors((c) => c.slice(0, -1)),
    reset: () => setCursors([]),
  };
}
export type Paging = ReturnType<typeof usePager>;

/** "Previous page" when there is one, "Next page" when the server said there is more. */
export function Pager({ paging, next }: { paging: Paging; next: string | null | undefined }) {
  return (
    <p className="filters">
      {paging.depth > 0 && (
        <Button className="btn" onPress={paging.previous}>
          Previous page
        </Button>
      )}
      {next && (
        <Button className="btn" onPress={() => paging.next(next)}>
          Next page
        </Button>
      )}
    </p>
  );
}
