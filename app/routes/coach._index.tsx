import { data, redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { DateTime } from "luxon";
import { needsAttention } from "~/coach/attention.server";
import { isSetUp, setupChecklist } from "~/coach/setup.server";
import { monthNumbers, type Amount } from "~/coach/stats.server";
import { BookingsPerDayChart, FunnelChart, funnelStages } from "~/components/charts";
import {
  bookingsBetween,
  coachesFor,
  FILTERABLE_STATUSES,
  listBookings,
  viewerZone,
  type BookingRow,
} from "~/coach/bookings.server";
import { DEFAULT_FILTERS, readFilters } from "~/coach/filters.server";
import { SendAgain, StatusBadge, statusWord } from "~/components/coach";
import { FieldError } from "~/components/wizard";
import { requireUser } from "~/http/auth.server";
import { formatPrice } from "~/lib/format";
import { formatTime, zoneLabel } from "~/lib/time-format";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Bookings · Coach area" };

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  // A new install: the owner lands on the setup checklist until clients can book.
  if (user.role === "owner" && !isSetUp(setupChecklist(db))) throw redirect("/coach/setup");
  const now = new Date();
  const zone = viewerZone(db, user);
  const { raw, parsed } = readFilters(new URL(request.url));
  const filters = parsed.success ? parsed.data : DEFAULT_FILTERS;
  const startOfDay = (text: string | undefined, plusDays = 0) =>
    text ? DateTime.fromISO(text, { zone }).plus({ days: plusDays }).toJSDate() : undefined;
  const list = listBookings(
    db,
    user,
    {
      when: filters.when,
      status: filters.status,
      coachId: filters.coach,
      from: startOfDay(filters.from),
      // The end date is the last day shown.
      to: startOfDay(filters.to, 1),
      page: filters.page,
    },
    now,
  );
  const today = DateTime.fromJSDate(now, { zone }).startOf("day");
  const week = bookingsBetween(db, user, today.toJSDate(), today.plus({ days: 7 }).toJSDate());
  const body = {
    zone,
    zoneName: zoneLabel(zone),
    owner: user.role === "owner",
    attention: needsAttention(db, user, now),
    days: Array.from({ length: 7 }, (_, i) => {
      const date = today.plus({ days: i });
      const next = date.plus({ days: 1 });
      return {
        date: date.toISODate()!,
        heading:
          i === 0
            ? "Today"
            : i === 1
              ? "Tomorrow"
              : date.setLocale("en-GB").toFormat("cccc d LLLL"),
        bookings: week
          .filter((b) => b.startAt >= date.toJSDate() && b.startAt < next.toJSDate())
          .map((b) => row(b, zone)),
      };
    }),
    list: { ...list, rows: list.rows.map((b) => row(b, zone)) },
    filters: { ...filters, raw },
    errors: parsed.success ? {} : parsed.errors,
    coaches: coachesFor(db, user),
    numbers: monthNumbers(db, user, { now, zone }),
    statuses: FILTERABLE_STATUSES.map((status) => ({ value: status, label: statusWord(status) })),
    thisMonth: {
      from: today.startOf("month").toISODate()!,
      to: today.endOf("month").toISODate()!,
    },
  };
  return data(body, { status: parsed.success ? 200 : 400 });
}

/** A booking as a row of the coach's lists: times in the coach's zone, the client's beside. */
function row(b: BookingRow, zone: string) {
  const start = DateTime.fromJSDate(b.startAt, { zone });
  return {
    id: b.id,
    status: b.status,
    flagged: b.needsAttention !== null,
    day: start.setLocale("en-GB").toFormat("ccc d LLL yyyy"),
    time: `${formatTime(b.startAt, zone)}–${formatTime(b.endAt, zone)}`,
    clientTime:
      b.clientTimezone === zone
        ? null
        : `${formatTime(b.startAt, b.clientTimezone)} ${zoneLabel(b.clientTimezone)}`,
    client: b.clientName,
    service: b.serviceName,
    coach: b.coachName,
    price: formatPrice(b.priceMinor, b.currency),
  };
}

type Row = ReturnType<typeof row>;

export default function Dashboard() {
  const {
    zoneName,
    owner,
    attention,
    days,
    list,
    filters,
    errors,
    coaches,
    numbers,
    statuses,
    thisMonth,
  } = useLoaderData<typeof loader>();
  const fieldErrors = errors as Record<string, string[] | undefined>;
  const attentionCount =
    attention.flagged.length +
    attention.stuckHolds.length +
    attention.failedWebhooks.length +
    attention.deadEmails.length;
  const pageLink = (page: number) => {
    const query = new URLSearchParams({ ...filters.raw, page: String(page) });
    return `?${query}`;
  };
  return (
    <div className="coach-page">
      <h1>Bookings</h1>
      <p className="hint">Times are in {zoneName}.</p>

      <section aria-labelledby="attention-heading" className="attention">
        <h2 id="attention-heading">
          Needs attention {attentionCount ? `(${attentionCount})` : ""}
        </h2>
        {attentionCount === 0 ? (
          <p>Nothing needs you right now.</p>
        ) : (
          <ul role="list" className="attention-list">
            {attention.flagged.map((item) => (
              <li key={item.id}>
                <Link to={`/coach/bookings/${item.id}`}>
                  {item.clientName}, {item.serviceName}
                </Link>{" "}
                <StatusBadge status={item.status} />
                <p>{item.note}</p>
              </li>
            ))}
            {attention.stuckHolds.map((item) => (
              <li key={item.id}>
                <Link to={`/coach/bookings/${item.id}`}>
                  {item.clientName}, {item.serviceName}
                </Link>{" "}
                <StatusBadge status={item.status} />
                <p>A payment hold that has not been settled. Open it to see what Stripe says.</p>
              </li>
            ))}
            {attention.failedWebhooks.map((item) => (
              <li key={`${item.eventId}-${item.at}`}>
                <strong>A Stripe event failed to process</strong> ({item.eventType}, {item.eventId}
                ). Stripe will retry it; if it keeps failing, run a check on the{" "}
                <Link to="/coach/payments">Payments</Link> page.
                <p className="hint">{item.error}</p>
              </li>
            ))}
            {attention.deadEmails.map((email) => (
              <li key={`email-${email.id}`}>
                <strong>An email could not be sent</strong> to {email.recipient}: &ldquo;
                {email.subject}&rdquo;. The mail server refused it {email.attempts} times (
                {email.lastError ?? "no reason given"}).{" "}
                <Link to={`/coach/outbox#email-${email.id}`}>Read it in the outbox</Link>
                <SendAgain emailId={email.id} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="week-heading">
        <h2 id="week-heading">The coming days</h2>
        {days.map((d) => (
          <div key={d.date} className="day-glance">
            <h3>{d.heading}</h3>
            {d.bookings.length ? (
              <BookingTable rows={d.bookings} showDay={false} owner={owner} caption={d.heading} />
            ) : (
              <p className="hint">Nothing booked.</p>
            )}
          </div>
        ))}
      </section>

      <section aria-labelledby="numbers-heading">
        <h2 id="numbers-heading">{numbers.month.label}</h2>
        <dl className="numbers">
          <div>
            <dt>Bookings</dt>
            <dd>
              {numbers.bookings.total}{" "}
              <span className="cell-note">
                {numbers.bookings.paid} paid, {numbers.bookings.free} free
              </span>
            </dd>
          </div>
          <div>
            <dt>Received</dt>
            <dd>{money(numbers.revenue)}</dd>
          </div>
          <div>
            <dt>Refunded</dt>
            <dd>
              {money(numbers.refunds.amounts)}{" "}
              <span className="cell-note">
                {numbers.refunds.count} refund{numbers.refunds.count === 1 ? "" : "s"}
              </span>
            </dd>
          </div>
        </dl>
        <BookingsPerDayChart
          days={numbers.perDay}
          caption={`Bookings per day, ${numbers.month.label}`}
        />
        <FunnelChart
          stages={funnelStages(numbers.funnel)}
          caption={`Payment funnel, ${numbers.month.label}`}
        />
      </section>

      <section aria-labelledby="list-heading">
        <h2 id="list-heading">{filters.when === "past" ? "Past bookings" : "Upcoming bookings"}</h2>
        <Form method="get" className="filters">
          <div className="field">
            <label htmlFor="when">Show</label>
            <select id="when" name="when" defaultValue={filters.when}>
              <option value="upcoming">Upcoming</option>
              <option value="past">Past</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="status">Status</label>
            <select
              id="status"
              name="status"
              defaultValue={String(filters.raw.status ?? "")}
              aria-describedby="status-error"
              aria-invalid={fieldErrors.status ? true : undefined}
            >
              <option value="">Any</option>
              {statuses.map((status) => (
                <option key={status.value} value={status.value}>
                  {status.label}
                </option>
              ))}
            </select>
            <FieldError id="status-error" errors={fieldErrors.status} />
          </div>
          {coaches.length ? (
            <div className="field">
              <label htmlFor="coach">Coach</label>
              <select
                id="coach"
                name="coach"
                defaultValue={String(filters.raw.coach ?? "")}
                aria-describedby="coach-error"
                aria-invalid={fieldErrors.coach ? true : undefined}
              >
                <option value="">Everyone</option>
                {coaches.map((coach) => (
                  <option key={coach.id} value={coach.id}>
                    {coach.name}
                  </option>
                ))}
              </select>
              <FieldError id="coach-error" errors={fieldErrors.coach} />
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="from">From</label>
            <input
              id="from"
              name="from"
              type="date"
              defaultValue={String(filters.raw.from ?? "")}
              aria-describedby="from-error"
              aria-invalid={fieldErrors.from ? true : undefined}
            />
            <FieldError id="from-error" errors={fieldErrors.from} />
          </div>
          <div className="field">
            <label htmlFor="to">To</label>
            <input
              id="to"
              name="to"
              type="date"
              defaultValue={String(filters.raw.to ?? "")}
              aria-describedby="to-error"
              aria-invalid={fieldErrors.to ? true : undefined}
            />
            <FieldError id="to-error" errors={fieldErrors.to} />
          </div>
          <button type="submit" className="button">
            Show
          </button>
        </Form>
        {list.rows.length ? (
          <BookingTable rows={list.rows} showDay owner={owner} caption="Bookings" />
        ) : (
          <p>No bookings match.</p>
        )}
        <nav className="pager" aria-label="Pages">
          {filters.page > 1 ? <Link to={pageLink(filters.page - 1)}>← Previous</Link> : <span />}
          <span>
            Page {filters.page} of {list.pages} ({list.total} bookings)
          </span>
          {filters.page < list.pages ? (
            <Link to={pageLink(filters.page + 1)}>Next →</Link>
          ) : (
            <span />
          )}
        </nav>
        <p>
          <Link to={`/coach/export?from=${thisMonth.from}&to=${thisMonth.to}`} reloadDocument>
            Download this month’s bookings (CSV)
          </Link>
        </p>
      </section>
    </div>
  );
}

/** Money in each currency taken ("£90 · $120"), never added across currencies. */
function money(amounts: Amount[]): string {
  return amounts.length
    ? amounts.map((a) => formatPrice(a.amountMinor, a.currency)).join(" · ")
    : "None";
}

function BookingTable({
  rows,
  showDay,
  owner,
  caption,
}: {
  rows: Row[];
  showDay: boolean;
  owner: boolean;
  caption: string;
}) {
  return (
    <div className="table-scroll">
      <table className="bookings">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Client</th>
            <th scope="col">Session</th>
            {owner ? <th scope="col">Coach</th> : null}
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((b) => (
            <tr key={b.id}>
              <td>
                {showDay ? <span className="cell-day">{b.day} </span> : null}
                {b.time}
                {b.clientTime ? <span className="cell-note">client: {b.clientTime}</span> : null}
              </td>
              <td>
                <Link to={`/coach/bookings/${b.id}`}>{b.client}</Link>
              </td>
              <td>
                {b.service} <span className="cell-note">{b.price}</span>
              </td>
              {owner ? <td>{b.coach}</td> : null}
              <td>
                <StatusBadge status={b.status} />
                {b.flagged ? <span className="cell-note">needs attention</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
