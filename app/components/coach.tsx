/**
 * Pieces of the coach area's pages: the navigation, a booking's status as a word, and times shown
 * in the coach's zone with the client's beside them.
 */
import { Form, NavLink } from "@remix-run/react";
import type { ReactNode } from "react";

export function CoachNav({
  owner,
  name,
  coachId,
  setUp,
}: {
  owner: boolean;
  name: string;
  coachId: number | null;
  setUp: boolean;
}) {
  const links: [string, string][] = [
    ...(owner && !setUp ? ([["/coach/setup", "Set up"]] as [string, string][]) : []),
    ["/coach", "Bookings"],
    [OUTBOX_PATH, "Outbox"],
    ...(coachId
      ? ([
          [`/coach/coaches/${coachId}/availability`, "Your hours"],
          ["/coach/calendar-feed", "Calendar feed"],
        ] as [string, string][])
      : []),
    ...(owner
      ? ([
          ["/coach/services", "Services"],
          ["/coach/coaches", "Coaches"],
          ["/coach/practice", "Practice"],
          ["/coach/payments", "Payments"],
        ] as [string, string][])
      : []),
    ["/logout", `Sign out (${name})`],
  ];
  return (
    <nav className="coach-nav" aria-label="Coach area">
      <ul role="list">
        {links.map(([to, label]) => (
          <li key={to}>
            <NavLink to={to} end={to === "/coach"}>
              {label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

const STATUS_WORDS: Record<string, string> = {
  held: "Held: paying now",
  processing: "Payment processing",
  confirmed: "Confirmed",
  completed: "Completed",
  no_show: "No-show",
  payment_failed: "Payment failed",
  expired: "Expired",
  cancelled: "Cancelled",
  refunded: "Refunded",
};

export function statusWord(status: string): string {
  return STATUS_WORDS[status] ?? status;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{statusWord(status)}</span>;
}

/** A page's success line after a redirect (the action said what it did). */
export function Done({ children }: { children: ReactNode }) {
  return (
    <div className="notice notice-done" role="status">
      {children}
    </div>
  );
}

export const OUTBOX_PATH = "/coach/outbox";

/** Queues an email that failed every attempt once more (the Outbox page and "Needs attention"). */
export function SendAgain({ emailId }: { emailId: number }) {
  return (
    <Form method="post" action={OUTBOX_PATH}>
      <input type="hidden" name="intent" value="send-again" />
      <input type="hidden" name="emailId" value={emailId} />
      <button type="submit" className="button">
        Send again
      </button>
    </Form>
  );
}
