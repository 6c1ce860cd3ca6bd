/**
 * Times the availability engine as the wizard calls it: `findAvailableStarts` for one coach and
 * one session over the next 90 days, against a database holding 0, 1k, 10k and 100k bookings of
 * that coach in two layouts:
 *
 * - history: the bookings spread over the past three years (a practice that has been running a
 *   while); none fall in the window, so a good query never reads them.
 * - dense: every booking inside the next 90 days (the worst case: all of them in the window).
 *
 * Every booking is `confirmed` (a status that holds its slot), 30 minutes long, at a pseudo-random
 * start (a fixed seed: the same layout every run). Rows are written straight into the table with
 * better-sqlite3; the database was migrated and seeded by Kairos's own `seed` command first.
 *
 * Run by index.mjs under tsx, which compiles app/ on the fly (the engine is not exported by the
 * server build): `tsx scripts/bench/availability.mjs <database> <json options>`; prints one JSON
 * line: `{ coach, service, empty: ms, layouts: { history: { 1000: ms, ... }, dense: {...} } }`.
 */
const [databasePath, optionsJson] = process.argv.slice(2);
const { sizes, budgetMs, warmupMs, minCalls = 3 } = JSON.parse(optionsJson);

const { openDatabase } = await import("~db/database.server");
const { findAvailableStarts } = await import("~/availability/availability.server");
const { findBookableOffer } = await import("~/catalogue/catalogue.server");

const db = openDatabase(databasePath);
const sqlite = db.$client;

const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;

// The coach and session the rest of the bench books, or the first pair offered.
const pair =
  sqlite
    .prepare(
      `select c.id as coachId, s.id as serviceId, c.slug as coach, s.slug as service, s.price_minor as price, s.currency
       from coaches c join coach_services cs on cs.coach_id = c.id join services s on s.id = cs.service_id
       where c.slug = 'daniel-reyes' and s.slug = 'coaching-session'`,
    )
    .get() ??
  sqlite
    .prepare(
      `select c.id as coachId, s.id as serviceId, c.slug as coach, s.slug as service, s.price_minor as price, s.currency
       from coaches c join coach_services cs on cs.coach_id = c.id join services s on s.id = cs.service_id
       order by c.id, s.id limit 1`,
    )
    .get();
if (!pair) throw new Error("the database has no coach giving a session");
const offer = findBookableOffer(db, pair.coachId, pair.serviceId);
if (!offer) throw new Error(`${pair.coach} cannot be booked for ${pair.service}`);

/** A small seeded generator (mulberry32): the same layout every run. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const now = Date.now();
const LAYOUTS = {
  history: { from: now - 3 * 365 * DAY, to: now - DAY },
  dense: { from: now + DAY, to: now + 89 * DAY },
};

// Every column the table requires gets a value, even ones added after this was written.
const columns = sqlite.prepare("pragma table_info(bookings)").all();
function bookingRow(id, startAt) {
  const known = {
    id,
    coach_id: pair.coachId,
    service_id: pair.serviceId,
    draft_id: null,
    start_at: startAt,
    end_at: startAt + 30 * MINUTE,
    client_name: "Bench Client",
    client_email: `${id}@example.com`,
    client_timezone: "America/New_York",
    client_notes: "",
    price_minor: pair.price,
    currency: pair.currency,
    status: "confirmed",
    created_at: now,
    updated_at: now,
  };
  const row = {};
  for (const column of columns) {
    if (column.name in known) row[column.name] = known[column.name];
    else if (column.notnull && column.dflt_value === null && !column.pk)
      row[column.name] = /INT|REAL|NUM/i.test(column.type) ? 0 : "";
  }
  return row;
}

function insertBookings(layout, fromIndex, toIndex, next) {
  const { from, to } = LAYOUTS[layout];
  const first = bookingRow("x", 0);
  const names = Object.keys(first);
  const insert = sqlite.prepare(
    // The bench lays out a scene by hand, as tests do: these rows never go through a booking's life.
    // eslint-disable-next-line no-restricted-syntax
    `insert into bookings (${names.join(", ")}) values (${names.map((n) => `@${n}`).join(", ")})`,
  );
  sqlite.transaction(() => {
    for (let i = fromIndex; i < toIndex; i++) {
      const slot = Math.floor((from + next() * (to - from)) / (15 * MINUTE)) * 15 * MINUTE;
      insert.run(bookingRow(`bench-${layout}-${i}`, slot));
    }
  })();
}

/**
 * The median time of one 90-day call, in milliseconds: after the first call, untimed calls for
 * `warmupMs` (the JIT warms up), then calls until `budgetMs` of calls have run (at
 * least `minCalls`, at most 200). Also the first call's time (`firstMs`): the first after the
 * bookings were written, which reads them all (Kairos keeps a coach's busy time until the
 * coach's bookings change).
 */
function timeCalls() {
  const call = () => {
    const at = Date.now();
    return findAvailableStarts(db, offer, { from: at, to: at + 90 * DAY, now: at });
  };
  const firstStarted = performance.now();
  call();
  const firstMs = performance.now() - firstStarted;
  const warm = performance.now() + warmupMs;
  while (performance.now() < warm) call();
  const times = [];
  let starts = 0;
  const until = performance.now() + budgetMs;
  while (times.length < minCalls || (performance.now() < until && times.length < 200)) {
    const started = performance.now();
    starts = call().length;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], firstMs, calls: times.length, starts };
}

const result = {
  coach: pair.coach,
  service: pair.service,
  empty: timeCalls(),
  layouts: {},
};
for (const layout of Object.keys(LAYOUTS)) {
  // The previous layout's rows, laid by this script (see insertBookings).
  // eslint-disable-next-line no-restricted-syntax
  sqlite.prepare("delete from bookings where id like 'bench-%'").run();
  const next = random(layout === "history" ? 1 : 2);
  result.layouts[layout] = {};
  let have = 0;
  for (const size of [...sizes].sort((a, b) => a - b)) {
    insertBookings(layout, have, size, next);
    have = size;
    result.layouts[layout][size] = timeCalls();
  }
}
sqlite.close();
console.log(JSON.stringify(result));
