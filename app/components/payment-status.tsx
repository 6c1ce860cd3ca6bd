/**
 * While a payment settles, the return page finds out by itself, without a meta refresh: that
 * reloaded the whole page every few seconds, so a screen reader started again from the top each
 * time (axe's critical `meta-refresh`), and it went on reloading for as long as the tab was open.
 *
 * - JavaScript off: nothing reloads. The page says an email will confirm the booking (so it can be
 *   closed) and offers Check again, a plain GET to the same address.
 * - JavaScript on: the page's loaders run again every few seconds, one request at a time, for a
 *   few minutes at most; the page updates in place, and a polite live region, present from the
 *   first render so screen readers are already listening, says what changed.
 */
import { Form, useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState, useSyncExternalStore } from "react";

/**
 * Every four seconds for five minutes: a delayed method that takes longer than that takes days,
 * and the email will say when it is through.
 */
export const RECHECK_EVERY_MS = 4000;
export const RECHECK_AT_MOST = 75;

const STOPPED = "This page has stopped checking by itself. Use Check again, or wait for our email.";

/** "off": no checking by itself (JavaScript off, before hydration, or nothing to wait for). */
export type Recheck = "off" | "checking" | "stopped";

const noSubscription = () => () => {};

/** False in the server's HTML and while hydrating it; true once React runs in the browser. */
function useInBrowser(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/**
 * Runs the page's loaders again every `everyMs` while `pending`, waiting for each answer before
 * the next interval starts (a slow server is never sent a queue of requests), and stops after
 * `atMost` checks. The timer is cleared whenever the page stops waiting or goes away.
 */
export function useRecheckWhile(
  pending: boolean,
  { everyMs = RECHECK_EVERY_MS, atMost = RECHECK_AT_MOST } = {},
): Recheck {
  const inBrowser = useInBrowser();
  const { revalidate, state } = useRevalidator();
  const checks = useRef(0);
  const [stopped, setStopped] = useState(false);
  const answered = state === "idle";
  useEffect(() => {
    if (!pending || stopped || !answered) return;
    const timer = setTimeout(() => {
      if (checks.current >= atMost) return setStopped(true);
      checks.current += 1;
      revalidate();
    }, everyMs);
    return () => clearTimeout(timer);
  }, [pending, stopped, answered, everyMs, atMost, revalidate]);
  if (!inBrowser || !pending) return "off";
  return stopped ? "stopped" : "checking";
}

/**
 * A polite live region that stays silent on arrival and speaks when `state` changes under it (the
 * page updated by itself), saying `announce(state)`; or that checking stopped, once it has.
 * Visually hidden: the page's own heading and text change where sighted readers look.
 */
export function StatusAnnouncer<State extends string>({
  state,
  announce,
  recheck,
}: {
  state: State;
  announce: (state: State) => string;
  recheck: Recheck;
}) {
  // The state last announced (at first, the one the page arrived with: nothing to say). Kept in
  // state and adjusted while rendering, as React advises for values derived from a prop's changes.
  const [announced, setAnnounced] = useState(state);
  const [message, setMessage] = useState("");
  if (state !== announced) {
    setAnnounced(state);
    setMessage(announce(state));
  }
  return (
    <p role="status" aria-live="polite" aria-atomic="true" className="visually-hidden">
      {recheck === "stopped" ? STOPPED : message}
    </p>
  );
}

/** Check again: the same address, asked again. A GET form, so it works without JavaScript. */
export function CheckAgain({ action, sessionId }: { action: string; sessionId: string }) {
  return (
    <Form method="get" action={action} replace>
      <input type="hidden" name="session_id" value={sessionId} />
      <button type="submit" className="button button-primary">
        Check again
      </button>
    </Form>
  );
}

/** What the page does by itself, said only where it does it (JavaScript on). */
export function RecheckNote({ recheck }: { recheck: Recheck }) {
  if (recheck === "off") return null;
  return (
    <p>{recheck === "checking" ? "This page also checks by itself every few seconds." : STOPPED}</p>
  );
}
