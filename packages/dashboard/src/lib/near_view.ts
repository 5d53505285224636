/**
 * True once the element has come within `margin` of the viewport, and from then on. An overview
 * of hundreds of charts renders and queries only what the user scrolls to.
 */

import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function useNearView(ref: RefObject<Element | null>, margin: string, enabled = true): boolean {
  const [near, setNear] = useState(!enabled);
  useEffect(() => {
    if (near || ref.current === null) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setNear(true);
          io.disconnect();
        }
      },
      { rootMargin: margin },
    );
    io.observe(ref.current);
    return () => io.disconnect();
  }, [near]);
  return near;
}
