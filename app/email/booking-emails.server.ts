/**
 * The words of every email a booking's life sends, as plain text and simple HTML written from one
 * composition, in the recipient's timezone, with the practice's name. Every link carries its own
 * token (the manage link, the link that reopens a draft): none depends on the browser's cookie, so
 * each works on any device.
 */
import { formatPrice } from "~/lib/format";
import { formatSession } from "~/lib/time-format";
import type { OutgoingEmail } from "./outbox.server";

export type BookingForEmail = {
  id: string;
  startAt: Date;
  endAt: Date;
  clientName: string;
  clientEmail: string;
  clientTimezone: string;
  clientNotes: string;
  priceMinor: number;
  currency: string;
  serviceName: string;
  coachName: string;
  coachEmail: string;
  coachTimezone: string;
  location: string | null;
};

export type Practice = { name: string; contactEmail: string | null };

type Part = string | { link: string; label: string };
type Composition = {
  greeting: string;
  paragraphs: Part[][];
  details?: [term: string, value: string][];
  practice: Practice;
};

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

const isUrl = (text: string) => /^https?:\/\//.test(text);

/** The same message as text and as HTML. */
function compose({ greeting, paragraphs, details = [], practice }: Composition) {
  const textPart = (part: Part) => (typeof part === "string" ? part : part.link);
  const htmlPart = (part: Part) =>
    typeof part === "string"
      ? escapeHtml(part)
      : `<a href="${escapeHtml(part.link)}">${escapeHtml(part.label)}</a>`;
  const contact = practice.contactEmail ? `\n${practice.contactEmail}` : "";
  const textBody = [
    greeting,
    ...paragraphs.map((p) => p.map(textPart).join(" ")),
    details.map(([term, value]) => `  ${term}: ${value}`).join("\n"),
    `${practice.name}${contact}`,
  ]
    .filter(Boolean)
    .join("\n\n");
  const rows = details
    .map(
      ([term, value]) =>
        `<tr><th align="left" style="padding:4px 12px 4px 0">${escapeHtml(term)}</th><td>${
          isUrl(value)
            ? `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>`
            : escapeHtml(value)
        }</td></tr>`,
    )
    .join("");
  const htmlBody = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1d2521">
<p>${escapeHtml(greeting)}</p>
${paragraphs.map((p) => `<p>${p.map(htmlPart).join(" ")}</p>`).join("\n")}
${rows ? `<table>${rows}</table>` : ""}
<p>${escapeHtml(practice.name)}${practice.contactEmail ? `<br>${escapeHtml(practice.contactEmail)}` : ""}</p>
</body></html>`;
  return { textBody, htmlBody };
}

const firstName = (name: string) => name.split(" ")[0] ?? name;
const when = (b: BookingForEmail, zone: string) => formatSession(b.startAt, b.endAt, zone);

/** The details a client keeps: what, with whom, when (in their zone), where, the price. */
function clientDetails(b: BookingForEmail): [string, string][] {
  return [
    ["Session", b.serviceName],
    ["With", b.coachName],
    ["When", when(b, b.clientTimezone)],
    ...(b.location ? ([["Where", b.location]] as [string, string][]) : []),
    ["Price", formatPrice(b.priceMinor, b.currency)],
  ];
}

function email(
  b: BookingForEmail,
  to: "client" | "coach",
  kind: string,
  subject: string,
  body: Composition,
  ics?: string,
): OutgoingEmail {
  return {
    bookingId: b.id,
    recipient: to === "client" ? b.clientEmail : b.coachEmail,
    kind,
    subject,
    ...compose(body),
    ...(ics ? { ics } : {}),
  };
}

export function clientConfirmation(
  b: BookingForEmail,
  practice: Practice,
  { manageUrl, ics }: { manageUrl: string; ics: string },
): OutgoingEmail {
  const paid = b.priceMinor > 0;
  return email(
    b,
    "client",
    "booking_confirmed",
    `Booked: ${b.serviceName} with ${b.coachName}`,
    {
      practice,
      greeting: `Hello ${firstName(b.clientName)},`,
      paragraphs: [
        [
          `Your ${b.serviceName.toLowerCase()} with ${b.coachName} is confirmed${paid ? " and paid" : ""}. The invite is attached, for your calendar.`,
        ],
        ["To see it, move it or cancel it:", { link: manageUrl, label: "your booking" }],
      ],
      details: clientDetails(b),
    },
    ics,
  );
}

export function coachNotification(
  b: BookingForEmail,
  practice: Practice,
  { ics }: { ics: string },
): OutgoingEmail {
  return email(
    b,
    "coach",
    "coach_new_booking",
    `New booking: ${b.clientName}, ${b.serviceName}`,
    {
      practice,
      greeting: `Hello ${firstName(b.coachName)},`,
      paragraphs: [
        [`${b.clientName} (${b.clientEmail}) booked a ${b.serviceName.toLowerCase()} with you.`],
      ],
      details: [
        ["When", when(b, b.coachTimezone)],
        ["Client’s time", when(b, b.clientTimezone)],
        ...(b.location ? ([["Where", b.location]] as [string, string][]) : []),
        ["Price", formatPrice(b.priceMinor, b.currency)],
        ...(b.clientNotes ? ([["Their notes", b.clientNotes]] as [string, string][]) : []),
      ],
    },
    ics,
  );
}

export function paymentProcessing(b: BookingForEmail, practice: Practice): OutgoingEmail {
  return email(b, "client", "payment_processing", `Your payment is on its way`, {
    practice,
    greeting: `Hello ${firstName(b.clientName)},`,
    paragraphs: [
      [
        `Your payment for the ${b.serviceName.toLowerCase()} with ${b.coachName} is on its way; some payment methods take a few days. The time is kept for you meanwhile, and we will email you as soon as it has arrived.`,
      ],
    ],
    details: clientDetails(b),
  });
}

export function paymentFailedNotice(
  b: BookingForEmail,
  practice: Practice,
  { resumeUrl }: { resumeUrl: string | null },
): OutgoingEmail {
  return email(b, "client", "payment_failed", `Your payment didn’t go through`, {
    practice,
    greeting: `Hello ${firstName(b.clientName)},`,
    paragraphs: [
      [
        `The payment for your ${b.serviceName.toLowerCase()} with ${b.coachName} on ${when(b, b.clientTimezone)} did not go through, so the time is not booked. Nothing was charged.`,
      ],
      resumeUrl
        ? ["Your details are kept:", { link: resumeUrl, label: "try again" }]
        : ["You are welcome to book again from our website."],
    ],
  });
}

export function slotConflictApology(
  b: BookingForEmail,
  practice: Practice,
  { resumeUrl }: { resumeUrl: string | null },
): OutgoingEmail {
  return email(
    b,
    "client",
    "booking_refunded_slot_conflict",
    `Sorry: that time was taken, and you have been refunded`,
    {
      practice,
      greeting: `Hello ${firstName(b.clientName)},`,
      paragraphs: [
        [
          `Your payment for a ${b.serviceName.toLowerCase()} with ${b.coachName} on ${when(b, b.clientTimezone)} arrived after that time had gone to someone else. We are sorry. We have refunded the full ${formatPrice(b.priceMinor, b.currency)}; it can take a few days to show on your statement.`,
        ],
        resumeUrl
          ? ["Your details are kept:", { link: resumeUrl, label: "pick another time" }]
          : ["You are welcome to book another time from our website."],
      ],
    },
  );
}

/** What the client hears of a refund: the amount, and when to expect it. */
function refundSentence(amountMinor: number, b: BookingForEmail): string {
  return amountMinor >= b.priceMinor
    ? `We have refunded the full ${formatPrice(b.priceMinor, b.currency)}`
    : `We have refunded ${formatPrice(amountMinor, b.currency)} of the ${formatPrice(b.priceMinor, b.currency)} you paid`;
}

function moneyOfCancellation(b: BookingForEmail, refundedMinor: number): string {
  if (b.priceMinor === 0) return "";
  return refundedMinor > 0
    ? `${refundSentence(refundedMinor, b)}; it can take a few days to show on your statement.`
    : "No refund was made for this session.";
}

export function bookingCancelled(
  b: BookingForEmail,
  practice: Practice,
  {
    refundedMinor,
    by,
    bookAgainUrl,
    ics,
  }: { refundedMinor: number; by: "client" | "coach"; bookAgainUrl: string; ics: string },
): OutgoingEmail {
  return email(
    b,
    "client",
    "booking_cancelled",
    `Cancelled: ${b.serviceName} on ${when(b, b.clientTimezone)}`,
    {
      practice,
      greeting: `Hello ${firstName(b.clientName)},`,
      paragraphs: [
        [
          by === "coach"
            ? `${b.coachName} has cancelled your ${b.serviceName.toLowerCase()} on ${when(b, b.clientTimezone)}.`
            : `Your ${b.serviceName.toLowerCase()} on ${when(b, b.clientTimezone)} is cancelled, as you asked.`,
        ],
        [moneyOfCancellation(b, refundedMinor)],
        ["To book another time:", { link: bookAgainUrl, label: "book again" }],
      ].filter((p) => p.some((part) => part !== "")),
    },
    ics,
  );
}

export function coachCancellationNotice(
  b: BookingForEmail,
  practice: Practice,
  { refundedMinor, ics }: { refundedMinor: number; ics: string },
): OutgoingEmail {
  return email(
    b,
    "coach",
    "coach_booking_cancelled",
    `Cancelled by the client: ${b.clientName}, ${b.serviceName}`,
    {
      practice,
      greeting: `Hello ${firstName(b.coachName)},`,
      paragraphs: [
        [
          `${b.clientName} cancelled their ${b.serviceName.toLowerCase()} on ${when(b, b.coachTimezone)}.`,
        ],
        ...(b.priceMinor > 0
          ? [
              [
                refundedMinor > 0
                  ? `${formatPrice(refundedMinor, b.currency)} was refunded, as the policy says.`
                  : "No refund was due.",
              ],
            ]
          : []),
      ],
    },
    ics,
  );
}

export function bookingRescheduled(
  b: BookingForEmail,
  practice: Practice,
  { previousStart, manageUrl, ics }: { previousStart: Date; manageUrl: string; ics: string },
): OutgoingEmail {
  const before = formatSession(
    previousStart,
    new Date(previousStart.getTime() + (b.endAt.getTime() - b.startAt.getTime())),
    b.clientTimezone,
  );
  return email(
    b,
    "client",
    "booking_rescheduled",
    `Moved: ${b.serviceName} is now on ${when(b, b.clientTimezone)}`,
    {
      practice,
      greeting: `Hello ${firstName(b.clientName)},`,
      paragraphs: [
        [
          `Your ${b.serviceName.toLowerCase()} with ${b.coachName} has moved from ${before} to the time below. The updated invite is attached.`,
        ],
        ["To see it, move it or cancel it:", { link: manageUrl, label: "your booking" }],
      ],
      details: clientDetails(b),
    },
    ics,
  );
}

export function coachRescheduleNotice(
  b: BookingForEmail,
  practice: Practice,
  { previousStart, ics }: { previousStart: Date; ics: string },
): OutgoingEmail {
  return email(
    b,
    "coach",
    "coach_booking_rescheduled",
    `Moved by the client: ${b.clientName}, ${b.serviceName}`,
    {
      practice,
      greeting: `Hello ${firstName(b.coachName)},`,
      paragraphs: [
        [
          `${b.clientName} moved their ${b.serviceName.toLowerCase()}. It was on ${formatSession(previousStart, new Date(previousStart.getTime() + (b.endAt.getTime() - b.startAt.getTime())), b.coachTimezone)}; it is now on ${when(b, b.coachTimezone)}.`,
        ],
      ],
    },
    ics,
  );
}

export function bookingRefunded(
  b: BookingForEmail,
  practice: Practice,
  amountMinor: number,
): OutgoingEmail {
  return email(b, "client", "booking_refunded", `Refund for your ${b.serviceName.toLowerCase()}`, {
    practice,
    greeting: `Hello ${firstName(b.clientName)},`,
    paragraphs: [
      [
        `${refundSentence(amountMinor, b)} for your ${b.serviceName.toLowerCase()} with ${b.coachName} on ${when(b, b.clientTimezone)}. It can take a few days to show on your statement.`,
      ],
    ],
  });
}

export function reminder(
  b: BookingForEmail,
  practice: Practice,
  { manageUrl }: { manageUrl: string },
): OutgoingEmail {
  return email(
    b,
    "client",
    "reminder",
    `Reminder: ${b.serviceName} with ${b.coachName}, ${when(b, b.clientTimezone)}`,
    {
      practice,
      greeting: `Hello ${firstName(b.clientName)},`,
      paragraphs: [
        [`A reminder of your ${b.serviceName.toLowerCase()} with ${b.coachName}.`],
        ["If you need to move or cancel it:", { link: manageUrl, label: "your booking" }],
      ],
      details: clientDetails(b),
    },
  );
}

/** The "My bookings" sign-in link: about no one booking, to whoever asked with this address. */
export function bookingsLinkEmail(
  recipient: string,
  practice: Practice,
  { url, minutes }: { url: string; minutes: number },
): OutgoingEmail {
  return {
    bookingId: null,
    recipient,
    kind: "my_bookings_link",
    subject: `Your bookings with ${practice.name}`,
    ...compose({
      practice,
      greeting: "Hello,",
      paragraphs: [
        ["Someone (we hope you) asked to see the bookings made with this email address."],
        ["To see them:", { link: url, label: "your bookings" }],
        [
          `The link works once, for ${minutes} minutes. If you did not ask for it, you can ignore this email.`,
        ],
      ],
    }),
  };
}
