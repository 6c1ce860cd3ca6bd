/**
 * The bookings CSV, from a real SQLite file whose bookings were made through the booking lifecycle:
 * the exact text (header, CRLF, quoting, formula defusing), the range of local days read in the
 * viewer's zone, each time written in its coach's zone with that day's offset, refunds so far, and
 * what a coach may see beside the owner.
 */
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import type { User } from "~/auth/accounts.server";
import * as lifecycle from "~/booking/lifecycle.server";
import { recordRefunds } from "~/payments/refunds.server";
import { APP_URL, newBooking, offerOf, rows, withDomainWorld } from "../../tests/support/domain";
import { bookingsCsv, csvCell, dayAfter } from "./export.server";

const world = withDomainWorld();
const HEADER =
  "id,status,start,end,client_timezone,service,coach,client_name,client_email,price,currency,refunded,created_at\r\n";
/** When the bookings were made: weeks before their sessions. */
const BOOKED_AT = new Date("2026-02-20T12:00:00Z");

function owner(): User {
  return rows<User>(
    world.db,
    "select id, email, name, role, coach_id as coachId from users where role = 'owner'",
  )[0]!;
}

function coachUser(slug: string): User {
  const coach = rows<{ id: number; name: string; email: string }>(
    world.db,
    "select id, name, email from coaches where slug = ?",
    slug,
  )[0]!;
  return {
    id: 1000 + coach.id,
    email: coach.email,
    name: coach.name,
    role: "coach",
    coachId: coach.id,
  };
}

type Client = Partial<{ name: string; email: string; timezone: string }>;

/** A free intro call at `start`, confirmed at BOOKED_AT. */
function bookFree(start: string, coach = "maya-okafor", client: Client = {}): string {
  const booking = newBooking(world.db, offerOf(world.db, "intro-call", coach), new Date(start));
  const made = lifecycle.confirmFree(
    world.db,
    { ...booking, client: { ...booking.client, ...client } },
    { actor: "client", at: BOOKED_AT, reason: "free session", appUrl: APP_URL },
  );
  if (!made.ok) throw new Error(`could not book ${start}: ${made.refused}`);
  return made.booking.id;
}

/** A paid coaching session at `start`, held and paid at BOOKED_AT. */
function bookPaid(start: string): string {
  const offer = offerOf(world.db, "coaching-session");
  const booking = newBooking(world.db, offer, new Date(start));
  const client = { ...booking.client, name: "Grace Hopper", email: "grace@example.com" };
  const held = lifecycle.hold(
    world.db,
    { ...booking, client },
    {
      actor: "client",
      at: BOOKED_AT,
      holdExpiresAt: new Date(BOOKED_AT.getTime() + 30 * 60_000),
    },
  );
  if (!held.ok) throw new Error(`could not hold ${start}: ${held.refused}`);
  const paid = lifecycle.confirmPaid(world.db, held.booking.id, {
    actor: "stripe",
    at: BOOKED_AT,
    appUrl: APP_URL,
    paymentIntentId: "pi_1",
    checkoutSessionId: "cs_1",
  });
  if (!paid.ok) throw new Error(`could not pay: ${paid.refused}`);
  return held.booking.id;
}

const created = BOOKED_AT.toISOString();

/** The lines of a CSV, without the header and the final line end. */
function lines(csv: string): string[] {
  expect(csv.startsWith(HEADER)).toBe(true);
  expect(csv.endsWith("\r\n")).toBe(true);
  return csv.slice(HEADER.length, -2).split("\r\n").filter(Boolean);
}

describe("cells", () => {
  it("quotes commas, quotes and line breaks, and defuses what a spreadsheet would run", () => {
    expect(csvCell("Ada Lovelace")).toBe("Ada Lovelace");
    expect(csvCell("Lovelace, Ada")).toBe('"Lovelace, Ada"');
    expect(csvCell('Ada "the Countess" Lovelace')).toBe('"Ada ""the Countess"" Lovelace"');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("two\r\nlines")).toBe('"two\r\nlines"');
    expect(csvCell("=1+2")).toBe("'=1+2");
    expect(csvCell("+44 20 7946 0000")).toBe("'+44 20 7946 0000");
    expect(csvCell("-2+3")).toBe("'-2+3");
    expect(csvCell("@SUM(A1:A9)")).toBe("'@SUM(A1:A9)");
    expect(csvCell("\t=1+2")).toBe("'\t=1+2");
    expect(csvCell("\r=1+2")).toBe('"\'\r=1+2"');
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(
      '"\'=HYPERLINK(""http://evil.example"",""x"")"',
    );
    expect(csvCell("")).toBe("");
    expect(csvCell("a=b")).toBe("a=b");
  });
});

describe("bookingsCsv", () => {
  it("writes the header and each booking's row exactly, with the clients' words made safe", () => {
    const plain = bookFree("2026-03-02T09:00:00Z", "maya-okafor", {
      name: "Ada Lovelace",
      email: "ada@example.com",
      timezone: "America/New_York",
    });
    const awkward = bookFree("2026-03-02T10:00:00Z", "maya-okafor", {
      name: 'Lovelace, "Ada"\nCountess',
      email: "=cmd|'/c calc'!A1@example.com",
      timezone: "Europe/London",
    });
    const dashed = bookFree("2026-03-02T11:00:00Z", "maya-okafor", {
      name: "-Ada",
      email: "@ada@example.com",
    });

    const csv = bookingsCsv(world.db, owner(), {
      from: "2026-03-02",
      to: "2026-03-03",
      zone: "Europe/London",
    });
    expect(csv).toBe(
      HEADER +
        `${plain},confirmed,2026-03-02T09:00:00+00:00,2026-03-02T09:15:00+00:00,America/New_York,Free intro call,Maya Okafor,Ada Lovelace,ada@example.com,0.00,GBP,0.00,${created}\r\n` +
        `${awkward},confirmed,2026-03-02T10:00:00+00:00,2026-03-02T10:15:00+00:00,Europe/London,Free intro call,Maya Okafor,"Lovelace, ""Ada""\nCountess",'=cmd|'/c calc'!A1@example.com,0.00,GBP,0.00,${created}\r\n` +
        `${dashed},confirmed,2026-03-02T11:00:00+00:00,2026-03-02T11:15:00+00:00,Europe/London,Free intro call,Maya Okafor,'-Ada,'@ada@example.com,0.00,GBP,0.00,${created}\r\n`,
    );
  });

  it("is only the header when nothing starts in the range", () => {
    bookFree("2026-03-02T09:00:00Z");
    expect(
      bookingsCsv(world.db, owner(), { from: "2026-03-03", to: "2026-03-04", zone: "UTC" }),
    ).toBe(HEADER);
  });

  it("reads the days in the viewer's zone, and writes times in each coach's zone", () => {
    // Tokyo's 3 March is 15:00 UTC on 2 March to 15:00 UTC on 3 March.
    const danielsMonday = bookFree("2026-03-02T15:00:00Z", "daniel-reyes"); // 10:00 in New York
    const mayasTuesday = bookFree("2026-03-03T09:00:00Z"); // 09:00 in London
    bookFree("2026-03-02T09:00:00Z"); // 18:00 on 2 March in Tokyo
    const mayasEvening = bookFree("2026-03-03T16:30:00Z"); // 01:30 on 4 March in Tokyo

    const csv = bookingsCsv(world.db, owner(), {
      from: "2026-03-03",
      to: "2026-03-04",
      zone: "Asia/Tokyo",
    });
    expect(lines(csv).map((line) => line.split(",").slice(0, 4))).toEqual([
      [danielsMonday, "confirmed", "2026-03-02T10:00:00-05:00", "2026-03-02T10:15:00-05:00"],
      [mayasTuesday, "confirmed", "2026-03-03T09:00:00+00:00", "2026-03-03T09:15:00+00:00"],
    ]);
    // The same days in UTC hold other bookings.
    const utc = bookingsCsv(world.db, owner(), {
      from: "2026-03-03",
      to: "2026-03-04",
      zone: "UTC",
    });
    expect(lines(utc).map((line) => line.split(",")[0])).toEqual([mayasTuesday, mayasEvening]);
  });

  it("gives each time the offset of its own day across a clock change", () => {
    // London moves to summer time on 29 March 2026.
    const before = bookFree("2026-03-27T09:00:00Z"); // Friday 09:00 GMT
    const after = bookFree("2026-03-30T08:00:00Z"); // Monday 09:00 BST
    const lastOfMarch = bookFree("2026-03-31T15:30:00Z"); // Tuesday 16:30 BST
    bookFree("2026-04-01T08:00:00Z"); // Wednesday 1 April, 09:00 BST: after the range

    const csv = bookingsCsv(world.db, owner(), {
      from: "2026-03-27",
      to: dayAfter("2026-03-31"),
      zone: "Europe/London",
    });
    expect(lines(csv).map((line) => line.split(",").slice(0, 3))).toEqual([
      [before, "confirmed", "2026-03-27T09:00:00+00:00"],
      [after, "confirmed", "2026-03-30T09:00:00+01:00"],
      [lastOfMarch, "confirmed", "2026-03-31T16:30:00+01:00"],
    ]);
  });

  it("writes price and refunds so far as decimals, leaving failed refunds out", () => {
    const id = bookPaid("2026-03-02T09:00:00Z");
    const refund = (refundId: string, amount: number, status: string) =>
      ({
        id: refundId,
        amount,
        currency: "gbp",
        status,
        reason: null,
        created: BOOKED_AT.getTime() / 1000 + 3600,
      }) as unknown as Stripe.Refund;
    recordRefunds(
      world.db,
      id,
      [refund("re_1", 1_050, "succeeded"), refund("re_2", 500, "pending")],
      { source: "kairos" },
    );
    recordRefunds(world.db, id, [refund("re_3", 2_000, "failed")], { source: "stripe" });

    const csv = bookingsCsv(world.db, owner(), {
      from: "2026-03-02",
      to: "2026-03-03",
      zone: "Europe/London",
    });
    expect(lines(csv)).toEqual([
      `${id},confirmed,2026-03-02T09:00:00+00:00,2026-03-02T09:30:00+00:00,Europe/London,Coaching session,Maya Okafor,Grace Hopper,grace@example.com,45.00,GBP,15.50,${created}`,
    ]);
  });

  it("shows a coach their own bookings only, and the owner everyone's, in every status", () => {
    const mayas = bookFree("2026-03-02T09:00:00Z");
    const daniels = bookFree("2026-03-02T15:00:00Z", "daniel-reyes");
    const expired = (() => {
      const offer = offerOf(world.db, "coaching-session", "daniel-reyes");
      const held = lifecycle.hold(
        world.db,
        newBooking(world.db, offer, new Date("2026-03-02T16:00:00Z")),
        {
          actor: "client",
          at: BOOKED_AT,
          holdExpiresAt: new Date(BOOKED_AT.getTime() + 60_000),
        },
      );
      if (!held.ok) throw new Error("could not hold");
      lifecycle.expire(world.db, held.booking.id, { actor: "system", at: BOOKED_AT });
      return held.booking.id;
    })();
    const range = { from: "2026-03-02", to: "2026-03-03", zone: "Europe/London" };
    const idsAndStatus = (user: User) =>
      lines(bookingsCsv(world.db, user, range)).map((line) => line.split(",").slice(0, 2));

    expect(idsAndStatus(owner())).toEqual([
      [mayas, "confirmed"],
      [daniels, "confirmed"],
      [expired, "expired"],
    ]);
    expect(idsAndStatus(coachUser("daniel-reyes"))).toEqual([
      [daniels, "confirmed"],
      [expired, "expired"],
    ]);
    expect(idsAndStatus(coachUser("maya-okafor"))).toEqual([[mayas, "confirmed"]]);
  });
});
