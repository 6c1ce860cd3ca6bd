/**
 * With JavaScript on, moving to a new page does not reload the document, so nothing tells a screen
 * reader the page changed and focus stays on a link or button that is gone. After each navigation
 * to another page, focus moves to what a reload would show first: the error summary if the page
 * has one, else its heading (which a screen reader then reads). Staying on the same page (another
 * day or week of times) leaves focus where it is.
 */
import { useLocation } from "@remix-run/react";
import { useEffect, useRef } from "react";

export function useFocusOnNavigation() {
  const { pathname, key } = useLocation();
  const previous = useRef<string | null>(null);
  useEffect(() => {
    const before = previous.current;
    previous.current = pathname;
    // The first page was loaded as a document: the browser placed focus itself.
    if (before === null) return;
    const focused = document.activeElement;
    const lost = !focused || focused === document.body || !focused.isConnected;
    if (before === pathname && !lost) return;
    const target =
      document.querySelector<HTMLElement>(".error-summary") ??
      document.querySelector<HTMLElement>("#main h1");
    if (!target || target.contains(document.activeElement)) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }, [pathname, key]);
}
