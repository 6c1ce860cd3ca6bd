/**
 * The fuzz test's machinery (tests/integration/fuzz.test.ts): a seeded random source, pools of
 * values the forms take (and the ones they must refuse), generators of random requests over every
 * route, and two ways of sending them: an HTTP client that sends exactly the bytes it is given
 * (methods, paths, headers and framing `fetch` would refuse or repair), and a raw socket for
 * requests that are not HTTP at all.
 */
import { createHmac } from "node:crypto";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { gzipSync } from "node:zlib";

// ---------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: a tiny seeded PRNG, so the same seed sends the same requests. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Calls one of the options, chosen by weight. */
  oneOf<T>(options: readonly (readonly [weight: number, make: () => T])[]): T {
    const total = options.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [weight, make] of options) {
      roll -= weight;
      if (roll < 0) return make();
    }
    return options.at(-1)![1]();
  }

  string(length: number, alphabet = ALPHANUMERIC): string {
    let text = "";
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(this.next() * alphabet.length)];
    return text;
  }

  bytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = Math.floor(this.next() * 256);
    return bytes;
  }

  /** An independent stream for a sub-task, so one job's choices do not shift another's. */
  fork(): Random {
    return new Random(Math.floor(this.next() * 2 ** 32));
  }
}

const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const BASE64URL = `${ALPHANUMERIC}-_`;

// ---------------------------------------------------------------------------------------------
// Values: what the forms take, what they must refuse, and text nobody should ever type

export const SERVICES = ["intro-call", "coaching-session", "deep-dive"] as const;
export const COACHES = ["maya-okafor", "daniel-reyes"] as const;
/** The free service, confirmed without Stripe. */
export const FREE_SERVICE = "intro-call";

export const VALID_ZONES = [
  "Europe/London",
  "America/New_York",
  "Asia/Kolkata",
  "Asia/Calcutta",
  "asia/calcutta",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "Pacific/Chatham",
  "Pacific/Kiritimati",
  "Etc/GMT+12",
  "Etc/GMT-14",
  "UTC",
  "utc",
  "US/Eastern",
  "EST5EDT",
  "America/Argentina/Buenos_Aires",
  "Europe/Kiev",
] as const;

const BAD_ZONES = [
  "",
  " ",
  "Mars/Phobos",
  "+05:30",
  "UTC+1",
  "Z",
  "localtime",
  "Factory",
  "Europe/London\u0000",
  " Europe/London",
  "Europe/London ",
  "Europe//London",
  "../../etc/localtime",
  "Europe/Lon%don",
  `America/${"X".repeat(60)}`,
  "Europe/".repeat(20),
];

/** Strings that have broken software before. */
const NASTY = [
  "",
  " ",
  "   ",
  "\t\r\n",
  "\u0000",
  "a\u0000b",
  "\u0007\u0008\u001b[31m",
  "\u007f",
  "\u0085\u00a0\u2028\u2029",
  "\ufeff",
  "\u200b\u200c\u200d",
  "\u202eevil\u202c",
  "e\u0301\u0301\u0301",
  "İı",
  "ß",
  "🙂",
  "👩‍👩‍👧‍👦",
  "𝕂𝕒𝕚𝕣𝕠𝕤",
  "\ud800",
  "\udfff\ud800",
  "\uffff\ufffe",
  "null",
  "undefined",
  "NaN",
  "-0",
  "1e309",
  "0x1F",
  "[object Object]",
  "__proto__",
  "constructor",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "' OR 1=1 --",
  "'; drop table bookings; --",
  "${7*7}",
  "{{7*7}}",
  "%s%s%n",
  "%00",
  "%",
  "../../../etc/passwd",
  "C:\\Windows\\win.ini",
  "日本語のテキスト",
  "مرحبا بالعالم",
];

/** Text with code points from everywhere: ASCII, Latin-1, controls, CJK, emoji, lone surrogates. */
export function randomText(r: Random, maxLength: number): string {
  const length = r.int(0, maxLength);
  let text = "";
  while (text.length < length) {
    text += r.oneOf<string>([
      [50, () => r.string(1, `${ALPHANUMERIC}     .,-'`)],
      [10, () => String.fromCharCode(r.int(0xa0, 0xff))],
      [5, () => String.fromCharCode(r.int(0, 0x1f))],
      [10, () => String.fromCodePoint(r.int(0x4e00, 0x9fff))],
      [8, () => String.fromCodePoint(r.int(0x1f300, 0x1faff))],
      [4, () => String.fromCharCode(r.int(0x0300, 0x036f))],
      [2, () => String.fromCharCode(r.int(0xd800, 0xdfff))],
      [3, () => r.pick(NASTY)],
    ]);
  }
  return text;
}

export function nasty(r: Random): string {
  return r.oneOf([
    [3, () => r.pick(NASTY)],
    [2, () => randomText(r, 40)],
    [1, () => r.pick(NASTY).repeat(r.int(2, 300))],
    [1, () => r.string(r.int(1000, 20_000))],
  ]);
}

/** A valid address for a client of a realistic sequence. */
export const sequenceEmail = (index: number) => `seq-${index}@fuzz.example`;

function email(r: Random): string {
  return r.oneOf<string>([
    [4, () => `${r.string(r.int(1, 20)).toLowerCase()}@example.com`],
    [1, () => `  ${r.string(8)}@Example.COM  `],
    [1, () => `${"a".repeat(r.pick([64, 65, 240, 243, 244, 250]))}@example.com`],
    [1, () => `${r.string(5)}+tag@sub.example.co.uk`],
    [
      4,
      () =>
        r.pick([
          "a@b",
          "a@b.c",
          "@example.com",
          "a@",
          "a b@example.com",
          "a@@example.com",
          '"a b"@example.com',
          "a@[127.0.0.1]",
          "a..b@example.com",
          ".a@example.com",
          "a@-example.com",
          "a@example..com",
          "ü@exämple.com",
          "用户@例子.广告",
          "a@example.com\u0000",
          "a@example.com\r\nBcc: victim@example.com",
          "a@example.com,b@example.com",
          "<a@example.com>",
          "mailto:a@example.com",
        ]),
    ],
    [2, () => nasty(r)],
  ]);
}

function personName(r: Random): string {
  return r.oneOf<string>([
    [4, () => r.pick(["Ada Lovelace", "Grace Hopper", "Zoë Ó Súilleabháin", "李小龍", "O'Brien"])],
    [2, () => randomText(r, 120)],
    [1, () => "x".repeat(r.pick([99, 100, 101, 150]))],
    [1, () => `  ${"y".repeat(100)}  `],
    [1, () => "🙂".repeat(r.pick([49, 50, 51]))],
    [2, () => nasty(r)],
  ]);
}

function notes(r: Random): string {
  return r.oneOf<string>([
    [3, () => ""],
    [3, () => randomText(r, 300)],
    [1, () => "n".repeat(r.pick([999, 1000, 1001, 5000]))],
    [1, () => `${" ".repeat(50)}${"n".repeat(1000)}${" ".repeat(50)}`],
    [2, () => nasty(r)],
  ]);
}

export function timezone(r: Random): string {
  return r.oneOf<string>([
    [5, () => r.pick(VALID_ZONES)],
    [4, () => r.pick(BAD_ZONES)],
    [1, () => nasty(r)],
  ]);
}

/** A start instant: one on offer, one near it, or something that is not a time at all. */
function startAt(r: Random, offered: readonly string[]): string {
  const base = offered.length ? r.pick(offered) : "2031-03-04T09:00:00.000Z";
  const shifted = (minutes: number) => new Date(Date.parse(base) + minutes * 60_000).toISOString();
  return r.oneOf<string>([
    [4, () => base],
    [2, () => shifted(r.pick([1, 15, 29, -30, 30, 60 * 24 * 365, -60 * 24 * 30]))],
    [1, () => base.replace(".000Z", "Z")],
    [1, () => base.replace(".000Z", "+05:30")],
    [
      3,
      () =>
        r.pick([
          "",
          "now",
          "2025-02-30T10:00:00Z",
          "2031-13-01T10:00:00Z",
          "2031-01-01T25:00:00Z",
          "2031-01-01",
          "2031-01-01T10:00",
          "1970-01-01T00:00:00Z",
          "0000-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999Z",
          "+275760-09-13T00:00:00.000Z",
          "-271821-04-20T00:00:00.000Z",
          "2031-01-01T10:00:00.0000000001Z",
          "1893456000000",
          "Infinity",
        ]),
    ],
    [1, () => nasty(r)],
  ]);
}

/** A week query value: a date, nearly a date, or anything. */
function week(r: Random): string {
  return r.oneOf<string>([
    [3, () => new Date(Date.now() + r.int(-30, 90) * 86_400_000).toISOString().slice(0, 10)],
    [
      2,
      () =>
        r.pick([
          "2031-02-30",
          "2031-13-45",
          "0000-00-00",
          "9999-99-99",
          "2031-1-1",
          "+002031-01-01",
          "1970-01-01",
        ]),
    ],
    [1, () => nasty(r)],
  ]);
}

const slug = (r: Random, valid: readonly string[]) =>
  r.oneOf<string>([
    [6, () => r.pick(valid)],
    [
      2,
      () =>
        r.pick([
          "",
          "INTRO-CALL",
          "intro_call",
          "unknown-service",
          "-",
          "a".repeat(64),
          "a".repeat(65),
          "intro-call ",
          "intro-call\u0000",
          "maya-okafor/../deep-dive",
        ]),
    ],
    [1, () => nasty(r)],
  ]);

/** Values pools shared by requests: the start times and Checkout Sessions seen so far. */
export type Pools = { starts: string[]; sessions: string[] };

/** A value for a named field, mostly of the kind it expects. */
export function fieldValue(r: Random, field: string, pools: Pools): string {
  if (r.chance(0.15)) return nasty(r);
  switch (field) {
    case "service":
      return slug(r, SERVICES);
    case "coach":
      return slug(r, COACHES);
    case "startAt":
      return startAt(r, pools.starts);
    case "timezone":
      return timezone(r);
    case "name":
      return personName(r);
    case "email":
      return email(r);
    case "notes":
      return notes(r);
    case "fax_number":
      return r.chance(0.7) ? "" : r.pick(["+44 20 7946 0000", "1", " "]);
    case "intent":
      return r.pick([
        "pay",
        "confirm",
        "timezone",
        "",
        "PAY",
        "Confirm",
        "cancel",
        "pay ",
        "manage",
        "forget",
      ]);
    case "refund":
      return r.pick(["0", "4500", "2250", "-1", "1e3", "99999999999", ""]);
    case "go":
      return r.pick(["manage", "reschedule", "cancel", "invite.ics", "", "elsewhere"]);
    case "bookingId":
      return r.chance(0.5) ? `bk_${randomText(r, 16)}` : randomText(r, 30);
    case "action":
      return r.pick(["pay", "pay_delayed", "decline", "delayed_fails", "cancel", "", "refund"]);
    default:
      return randomText(r, 30);
  }
}

// ---------------------------------------------------------------------------------------------
// Encodings

/** `application/x-www-form-urlencoded` as a browser writes it (UTF-8, `+` for spaces). */
export function formEncode(fields: readonly (readonly [string, string])[]): string {
  const encode = (text: string) =>
    [...Buffer.from(text, "utf8")]
      .map((byte) => {
        const char = String.fromCharCode(byte);
        if (/[A-Za-z0-9*._-]/.test(char)) return char;
        if (char === " ") return "+";
        return `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
      })
      .join("");
  return fields.map(([name, value]) => `${encode(name)}=${encode(value)}`).join("&");
}

/** A form body with things no browser writes: broken escapes, raw bytes, missing `=`, `&&&`. */
function mangleForm(r: Random, body: string): Buffer {
  const damage = r.pick([
    "%",
    "%G1",
    "%E0%A4",
    "%FF%FE",
    "%C0%AF",
    "%ED%A0%80",
    "&&&",
    "&=",
    "&service",
    "=x",
    "&a=b=c",
    "+++",
    "%u0041",
    ";",
  ]);
  const at = r.int(0, body.length);
  const text = `${body.slice(0, at)}${damage}${body.slice(at)}`;
  const raw = Buffer.from(text, "latin1");
  if (r.chance(0.3)) return Buffer.concat([raw, Buffer.from("&notes="), r.bytes(r.int(1, 40))]);
  return raw;
}

export function multipartBody(r: Random, fields: readonly (readonly [string, string])[]) {
  const boundary = `----fuzz${r.string(16)}`;
  const parts = fields.map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const body = `${parts.join("")}--${boundary}--\r\n`;
  return r.oneOf<{ type: string; body: Buffer }>([
    [3, () => ({ type: `multipart/form-data; boundary=${boundary}`, body: Buffer.from(body) })],
    [1, () => ({ type: "multipart/form-data", body: Buffer.from(body) })],
    [1, () => ({ type: `multipart/form-data; boundary=${boundary}x`, body: Buffer.from(body) })],
    [1, () => ({ type: 'multipart/form-data; boundary=""', body: Buffer.from(body) })],
    [
      1,
      () => ({
        type: `multipart/form-data; boundary=${boundary}`,
        body: Buffer.from(body.slice(0, r.int(0, body.length))),
      }),
    ],
  ]);
}

/** JSON of any shape, including deep nesting and huge numbers. */
export function randomJson(r: Random, depth = 0): unknown {
  return r.oneOf<unknown>([
    [2, () => r.int(-1e6, 1e6)],
    [1, () => r.pick([1e308, -0, 0.1, 2 ** 53 + 1])],
    [3, () => randomText(r, 30)],
    [1, () => r.chance(0.5)],
    [1, () => null],
    [depth < 4 ? 2 : 0, () => Array.from({ length: r.int(0, 5) }, () => randomJson(r, depth + 1))],
    [
      depth < 4 ? 3 : 0,
      () =>
        Object.fromEntries(
          Array.from({ length: r.int(0, 6) }, () => [
            r.pick(["service", "coach", "startAt", "email", "id", "__proto__", randomText(r, 8)]),
            randomJson(r, depth + 1),
          ]),
        ),
    ],
  ]);
}

/** A header value as it travels: UTF-8 bytes read as Latin-1, without what ends a header line. */
export function headerSafe(text: string): string {
  const allowed = (code: number) => code === 0x09 || (code >= 0x20 && code !== 0x7f);
  return [...Buffer.from(text, "utf8").toString("latin1")]
    .filter((char) => allowed(char.charCodeAt(0)))
    .join("");
}

// ---------------------------------------------------------------------------------------------
// Requests

export type Target = {
  name: string;
  /** `http://localhost:port`, the server's APP_URL. */
  url: string;
  port: number;
  /** The Host a browser sends: `localhost:port`. */
  host: string;
  agent: Agent;
  /** Signs events as Stripe would. */
  webhookSecret: string;
  /** Signs cookies as the server does, to forge well-signed nonsense. */
  sessionSecret: string;
  /** Whether the server believes X-Forwarded-* (TRUST_PROXY). */
  trustsProxy: boolean;
  pools: Pools;
};

export type RequestSpec = {
  /** Which generator made it, to group failures. */
  kind: string;
  method: string;
  /** Exactly as sent on the request line. */
  path: string;
  /** Lower-case names; an array is sent as repeated header lines. */
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Send the body chunked, without a Content-Length. */
  chunked?: boolean;
};

export const FORM_TYPE = "application/x-www-form-urlencoded";

/** Each page of the site and the fields its form takes. */
/** Well-formed but nobody's: the token pages must answer 404 to whatever is sent. */
const UNKNOWN_TOKEN = "k".repeat(43);

export const ROUTE_FIELDS: Record<string, string[]> = {
  "/": [],
  "/book": [],
  "/book/service": ["service"],
  "/book/coach": ["coach"],
  "/book/time": ["startAt", "intent", "timezone"],
  "/book/details": ["name", "email", "notes", "timezone", "fax_number"],
  "/book/review": ["intent"],
  "/book/return": [],
  "/book/confirmed": ["go"],
  [`/book/resume/${UNKNOWN_TOKEN}`]: [],
  [`/bookings/${UNKNOWN_TOKEN}`]: [],
  [`/bookings/${UNKNOWN_TOKEN}/cancel`]: ["refund"],
  [`/bookings/${UNKNOWN_TOKEN}/reschedule`]: ["startAt"],
  [`/bookings/${UNKNOWN_TOKEN}/invite.ics`]: [],
  "/my-bookings": ["email", "intent", "bookingId"],
  [`/my-bookings/${UNKNOWN_TOKEN}`]: [],
  [`/feeds/${UNKNOWN_TOKEN}.ics`]: [],
  "/no-such-page": ["service"],
};
const PAGES = Object.keys(ROUTE_FIELDS);
const WIZARD_FORMS = [
  "/book/service",
  "/book/coach",
  "/book/time",
  "/book/details",
  "/book/review",
];
const ROUTE_IDS = [
  "root",
  "routes/_index",
  "routes/book._index",
  "routes/book.service",
  "routes/book.coach",
  "routes/book.time",
  "routes/book.details",
  "routes/book.review",
  "routes/book.return",
  "routes/book.confirmed",
  "routes/book.resume.$token",
  "routes/bookings.$token._index",
  "routes/bookings.$token.cancel",
  "routes/bookings.$token.reschedule",
  "routes/my-bookings._index",
  "routes/my-bookings.$token",
  "routes/$",
];

/** The fields a form post to `route` carries: the expected ones (mostly), repeats and strays. */
export function formFields(r: Random, route: string, pools: Pools): [string, string][] {
  const expected = ROUTE_FIELDS[route] ?? [];
  const fields: [string, string][] = [];
  for (const field of expected) {
    if (r.chance(0.85)) fields.push([field, fieldValue(r, field, pools)]);
    if (r.chance(0.07)) fields.push([field, fieldValue(r, field, pools)]);
  }
  if (r.chance(0.2) || expected.length === 0) {
    const stray = r.pick([...Object.values(ROUTE_FIELDS).flat(), "action", "_data", "index"]);
    fields.push([r.chance(0.8) ? stray : randomText(r, 12), fieldValue(r, stray, pools)]);
  }
  return r.chance(0.3) ? shuffle(r, fields) : fields;
}

function shuffle<T>(r: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A form body, sometimes damaged, sometimes around the 64 KB limit. */
export function formBody(r: Random, fields: [string, string][]): Buffer {
  const encoded = formEncode(fields);
  return r.oneOf<Buffer>([
    [12, () => Buffer.from(encoded)],
    [3, () => mangleForm(r, encoded)],
    [
      1,
      () => {
        const size = r.pick([60_000, 65_000, 65_536, 65_537, 70_000, 200_000]);
        const padding = `&notes=${"n".repeat(Math.max(0, size - encoded.length - 7))}`;
        return Buffer.from(`${encoded}${padding}`);
      },
    ],
  ]);
}

/** A query string for a route: the parameters it reads (week, session_id, checkout, …) or noise. */
export function queryString(r: Random, pools: Pools): string {
  if (r.chance(0.55)) return "";
  const params: [string, string][] = [];
  const count = r.int(1, 3);
  for (let i = 0; i < count; i++) {
    params.push(
      r.oneOf<[string, string]>([
        [3, () => ["week", week(r)]],
        [
          3,
          () => [
            "session_id",
            r.oneOf([
              [2, () => (pools.sessions.length ? r.pick(pools.sessions) : "cs_test_none")],
              [2, () => `cs_test_${r.string(r.int(1, 60))}`],
              [1, () => ""],
              [1, () => nasty(r)],
            ]),
          ],
        ],
        [2, () => ["checkout", r.pick(["cancelled", "CANCELLED", "", "success", "cancelled "])]],
        [1, () => ["taken", r.pick(["1", "0", "true", ""])]],
        [2, () => ["service", slug(r, SERVICES)]],
        [2, () => ["_routes", r.chance(0.7) ? r.pick(ROUTE_IDS) : nasty(r)]],
        [1, () => ["_data", r.pick(ROUTE_IDS)]],
        [1, () => ["index", ""]],
        [2, () => [randomText(r, 10), randomText(r, 20)]],
      ]),
    );
  }
  let query = formEncode(params).replaceAll("+", "%20");
  if (r.chance(0.15)) query = mangleForm(r, query).toString("latin1");
  return `?${pathSafe(query)}`;
}

/** A path segment nobody links to: unicode, escapes, traversal, very long. */
function strangeSegment(r: Random): string {
  return r.oneOf<string>([
    [2, () => encodeURIComponent(randomText(r, 20).replace(/[\ud800-\udfff]/g, "?"))],
    [
      3,
      () =>
        r.pick([
          "..",
          "%2e%2e",
          "%2E%2E%2F",
          "..%2f..%2fetc%2fpasswd",
          ".",
          "",
          "%00",
          "%",
          "%zz",
          "%E0%A4%A",
          "%C0%AE%C0%AE",
          "%ED%A0%80",
          "%F0%9F%99%82",
          "%25",
          ";jsessionid=1",
          "\\..\\",
          "~",
          "*",
          "index.php",
          ".env",
          ".git",
          "wp-login.php",
          "root.data",
          "_root.data",
          "%0d%0aSet-Cookie:%20x=1",
        ]),
    ],
    [1, () => r.string(r.pick([255, 256, 2000, 8000]))],
    // Raw bytes above ASCII, as a careless client sends them unescaped.
    [1, () => pathSafe(Buffer.from(randomText(r, 10), "utf8").toString("latin1"))],
  ]);
}

/**
 * What may stand on a request line: spaces and control characters escaped (they would end it or
 * be refused by the client), bytes above ASCII left raw.
 */
export function pathSafe(text: string): string {
  return [...text]
    .map((char) => {
      const code = char.charCodeAt(0);
      if (code > 0x20 && code !== 0x7f) return char;
      return `%${code.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
}

/** A path: a route as is, or bent (`.data`, case, a strange segment, traversal, absolute form). */
export function randomPath(r: Random): string {
  const route = r.pick([
    ...PAGES,
    ...WIZARD_FORMS,
    "/healthz",
    "/webhooks/stripe",
    "/_demo-stripe/c/pay/cs_test_fuzz",
    "/favicon.svg",
    "/build/",
    "/_root.data",
  ]);
  return r.oneOf<string>([
    [4, () => route],
    [3, () => `${route === "/" ? "/_root" : route}.data`],
    [1, () => route.toUpperCase()],
    [1, () => `${route}/`],
    [1, () => `/${route}`],
    [4, () => `${route.replace(/\/$/, "")}/${strangeSegment(r)}`],
    [2, () => `/${strangeSegment(r)}`],
    [1, () => `/book/${strangeSegment(r)}/../time`],
    [
      1,
      () =>
        r.pick(["*", "book/time", "http://evil.example/book", "//evil.example/book", "/?", "/#x"]),
    ],
  ]);
}

// --- the headers every request may carry

function forgedDraftCookie(r: Random, secret: string): string {
  const value = r.pick<unknown>([
    r.string(32, BASE64URL),
    r.string(31, BASE64URL),
    `${r.string(31, BASE64URL)}!`,
    r.string(1_000, BASE64URL),
    42,
    null,
    { id: r.string(32, BASE64URL) },
    [r.string(32, BASE64URL)],
    "../../../etc/passwd",
    "",
  ]);
  return `kairos_draft=${encodeURIComponent(signCookie(value, secret))}`;
}

/** A cookie value as Remix's `createCookie` signs it (base64 JSON, HMAC-SHA256). */
export function signCookie(value: unknown, secret: string): string {
  const data = Buffer.from(JSON.stringify(value), "utf8").toString("base64");
  const mac = createHmac("sha256", secret).update(data).digest("base64").replace(/=+$/, "");
  return `${data}.${mac}`;
}

/** The draft id inside a draft cookie value (as set by the server), or null. */
export function draftIdOf(cookieValue: string | undefined): string | null {
  if (!cookieValue) return null;
  try {
    const signed = decodeURIComponent(cookieValue);
    const data = signed.slice(0, signed.lastIndexOf("."));
    const value: unknown = JSON.parse(Buffer.from(data, "base64").toString("utf8"));
    return typeof value === "string" ? value : null;
  } catch {
    return null;
  }
}

function cookieHeader(r: Random, target: Target): string {
  return r.oneOf<string>([
    [3, () => forgedDraftCookie(r, target.sessionSecret)],
    [2, () => `kairos_draft=${r.string(40, BASE64URL)}.${r.string(43, BASE64URL)}`],
    [
      2,
      () =>
        `kairos_draft=${r.pick(["", "%", "%E0%A4%A", '"quoted"', "null", "e30=", "eyJ9", "a.b.c"])}`,
    ],
    [1, () => `${forgedDraftCookie(r, target.sessionSecret)}; kairos_draft=x`],
    [1, () => `kairos_draft=${"A".repeat(r.pick([4_000, 12_000]))}`],
    [1, () => headerSafe(randomText(r, 60))],
    [1, () => `a=1; b=2; ${"=".repeat(5)}; ;;; kairos_draft`],
  ]);
}

function hostVariant(r: Random, target: Target): string {
  return r.pick([
    `127.0.0.1:${target.port}`,
    `[::1]:${target.port}`,
    `LOCALHOST:${target.port}`,
    "localhost",
    "evil.example",
    "evil.example:443",
    "a b",
    "[",
    "localhost:99999",
    "localhost:abc",
    "",
    "%00",
    "user@evil.example",
    "localhost/..",
    headerSafe("ünï.example"),
    "x".repeat(1000),
  ]);
}

const ACCEPTS = [
  "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "*/*",
  "application/json",
  "text/x-script",
  "image/avif,image/webp",
  "",
  "text/html;q=abc",
  "garbage/;;=",
];

/** Origin and the other headers a browser, a script or an attacker sends. */
export function decorate(r: Random, target: Target, spec: RequestSpec): RequestSpec {
  const headers = { ...spec.headers };
  const set = (name: string, value: string) => (headers[name] = value);
  // Most requests come from the site's own pages, so that the checks behind Origin get exercised.
  const origin = r.oneOf<string | null>([
    [12, () => target.url],
    [2, () => null],
    [1, () => "null"],
    [1, () => "http://evil.example"],
    [1, () => `https://localhost:${target.port}`],
    [1, () => r.pick(["http://", "not a url", "http://[::1", "file://", headerSafe("http://ü")])],
  ]);
  if (origin !== null) set("origin", origin);
  if (r.chance(0.08)) {
    const host = hostVariant(r, target);
    set("host", host);
    // Coming "from" the host it claims, so that the request gets past the Origin check.
    if (r.chance(0.7)) set("origin", `http://${host}`);
  }
  if (r.chance(0.1))
    set("sec-fetch-site", r.pick(["cross-site", "same-origin", "same-site", "none", "x"]));
  if (r.chance(0.3)) set("cookie", cookieHeader(r, target));
  if (r.chance(0.2)) set("accept", r.pick(ACCEPTS));
  if (r.chance(0.12)) {
    set(
      "x-forwarded-for",
      r.pick(["10.1.2.3", "1.1.1.1, 2.2.2.2", "::ffff:1.2.3.4", "unknown", "999.1.1.1", "", "<x>"]),
    );
  }
  if (r.chance(0.08)) {
    const forwardedHost = hostVariant(r, target);
    set("x-forwarded-host", forwardedHost);
    if (target.trustsProxy && r.chance(0.6)) set("origin", `http://${forwardedHost}`);
  }
  if (r.chance(0.08))
    set("x-forwarded-proto", r.pick(["https", "http", "gopher", "ht tp", "", "https, http"]));
  if (r.chance(0.05)) set("x-request-id", headerSafe(nasty(r)).slice(0, 300));
  if (r.chance(0.05)) set("accept-encoding", r.pick(["gzip", "br", "*;q=0", "identity;q=0", "x"]));
  if (r.chance(0.04)) set("range", r.pick(["bytes=0-10", "bytes=abc", "bytes=10-5", "lines=1"]));
  if (r.chance(0.03)) set("if-none-match", r.pick(['"x"', "*", "W/"]));
  if (r.chance(0.03))
    set("if-modified-since", r.pick(["yesterday", "Thu, 01 Jan 2099 00:00:00 GMT"]));
  if (r.chance(0.05)) set("user-agent", headerSafe(nasty(r)).slice(0, 2000));
  if (r.chance(0.03)) set("accept-language", r.pick(["*", "zz-ZZ", "en;q=2", headerSafe("ü")]));
  return { ...spec, headers };
}

// --- the request generators

/** A form posted to a page, mostly as the site's forms post it. */
export function formPost(r: Random, target: Target, route = r.pick(PAGES)): RequestSpec {
  const fields = formFields(r, route, target.pools);
  const data = r.chance(0.15);
  const path = `${data ? `${route === "/" ? "/_root" : route}.data` : route}${queryString(r, target.pools)}`;
  return {
    kind: data ? "form post (.data)" : "form post",
    method: "POST",
    path,
    headers: {
      "content-type": r.oneOf([
        [10, () => FORM_TYPE],
        [1, () => `${FORM_TYPE}; charset=UTF-8`],
        [1, () => "APPLICATION/X-WWW-FORM-URLENCODED"],
        [1, () => `${FORM_TYPE}; charset=iso-8859-1`],
        [1, () => `${FORM_TYPE};charset="bogus"; x`],
      ]),
    },
    body: formBody(r, fields),
  };
}

/** A page read, with a query string. */
export function pageGet(r: Random, target: Target): RequestSpec {
  const route = r.pick(PAGES);
  const data = r.chance(0.2);
  return {
    kind: data ? "page read (.data)" : "page read",
    method: r.chance(0.15) ? "HEAD" : "GET",
    path: `${data ? `${route === "/" ? "/_root" : route}.data` : route}${queryString(r, target.pools)}`,
    headers: {},
  };
}

/** A path nobody links to, with any method the site accepts. */
export function strangePathRequest(r: Random, target: Target): RequestSpec {
  const post = r.chance(0.3);
  return {
    kind: "strange path",
    method: post ? "POST" : r.pick(["GET", "GET", "HEAD"]),
    path: `${randomPath(r)}${queryString(r, target.pools)}`,
    headers: post ? { "content-type": FORM_TYPE } : {},
    body: post ? formBody(r, formFields(r, "/book/service", target.pools)) : undefined,
  };
}

/** A method the site does not use (or odd spellings of ones it does). */
export function oddMethodRequest(r: Random, target: Target): RequestSpec {
  const withBody = r.chance(0.5);
  return {
    kind: "odd method",
    method: r.pick([
      "PUT",
      "DELETE",
      "PATCH",
      "OPTIONS",
      "PROPFIND",
      "MKCOL",
      "PURGE",
      "SEARCH",
      "LINK",
      "UNLOCK",
      "REPORT",
      "QUERY",
    ]),
    path: r.chance(0.8) ? r.pick([...PAGES, "/webhooks/stripe", "/healthz"]) : randomPath(r),
    headers: withBody ? { "content-type": r.pick([FORM_TYPE, "application/json"]) } : {},
    body: withBody ? formBody(r, formFields(r, r.pick(WIZARD_FORMS), target.pools)) : undefined,
  };
}

/** A POST to a page whose body is not a web form: JSON, multipart, text, binary, nothing. */
export function foreignBodyPost(r: Random, target: Target): RequestSpec {
  const route = r.pick(WIZARD_FORMS);
  const fields = formFields(r, route, target.pools);
  const { type, body } = r.oneOf<{ type: string | null; body: Buffer | undefined }>([
    [3, () => multipartBody(r, fields)],
    [2, () => ({ type: "application/json", body: Buffer.from(JSON.stringify(randomJson(r))) })],
    [1, () => ({ type: "text/plain", body: Buffer.from(formEncode(fields)) })],
    [1, () => ({ type: null, body: Buffer.from(formEncode(fields)) })],
    [1, () => ({ type: null, body: undefined })],
    [1, () => ({ type: FORM_TYPE, body: undefined })],
    [1, () => ({ type: "application/octet-stream", body: r.bytes(r.int(0, 4096)) })],
    [1, () => ({ type: FORM_TYPE, body: r.bytes(r.int(1, 4096)) })],
    [1, () => ({ type: headerSafe(nasty(r)).slice(0, 200), body: Buffer.from("a=b") })],
    [1, () => ({ type: `${FORM_TYPE}x`, body: Buffer.from(formEncode(fields)) })],
  ]);
  const chunked = body !== undefined && r.chance(0.15);
  return {
    kind: chunked ? "chunked body" : "foreign body",
    method: "POST",
    path: `${route}${r.chance(0.2) ? ".data" : ""}`,
    headers: type === null ? {} : { "content-type": type },
    body,
    chunked,
  };
}

/** Stripe event types, including ones Kairos ignores. */
const EVENT_TYPES = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "charge.refunded",
  "payment_intent.succeeded",
  "customer.created",
  "invoice.paid",
];

/** An event as Stripe sends it, about a session (or charge) that may or may not exist. */
export function stripeShapedEvent(r: Random, pools: Pools, id: string) {
  const type = r.pick(EVENT_TYPES);
  const object =
    type === "charge.refunded"
      ? { id: `ch_${r.string(24)}`, object: "charge", amount_refunded: r.int(0, 9000) }
      : {
          id:
            pools.sessions.length && r.chance(0.4)
              ? r.pick(pools.sessions)
              : `cs_test_${r.string(r.int(10, 58))}`,
          object: "checkout.session",
          payment_status: r.pick(["paid", "unpaid", "no_payment_required"]),
          status: r.pick(["complete", "open", "expired"]),
          amount_total: r.int(0, 10_000),
          metadata: r.chance(0.5) ? { booking_id: r.string(20), draft_id: r.string(32) } : {},
        };
  return {
    id,
    object: "event",
    api_version: "2026-10-28.endive",
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

export function signStripe(payload: string | Buffer, secret: string, timestamp?: number) {
  const t = timestamp ?? Math.floor(Date.now() / 1000);
  const mac = createHmac("sha256", secret).update(`${t}.`).update(payload).digest("hex");
  return `t=${t},v1=${mac}`;
}

/**
 * A delivery to the webhook: a well-signed Stripe-shaped event (which Kairos must acknowledge), or
 * anything else anyone can send (which it must refuse with a 4xx). Signed events get ids
 * `evt_fuzz_*`, unsigned or forged ones `evt_forged_*`, so the database can be checked afterwards.
 */
export function webhookDelivery(r: Random, target: Target, signedIds: Set<string>): RequestSpec {
  const signed = r.chance(0.35);
  const id = signed ? `evt_fuzz_${target.name}_${r.int(0, 400)}` : `evt_forged_${r.string(12)}`;
  const eventJson = JSON.stringify(stripeShapedEvent(r, target.pools, id));
  const now = Math.floor(Date.now() / 1000);
  let payload: Buffer;
  let signature: string | undefined;
  if (signed) {
    payload = Buffer.from(eventJson);
    const valid = signStripe(payload, target.webhookSecret);
    // Stripe may list several signatures (during a secret's rotation); one valid is enough.
    signature = r.chance(0.85) ? valid : `t=${now},v1=${"0".repeat(64)},${valid.split(",")[1]}`;
    signedIds.add(id);
  } else {
    payload = r.oneOf<Buffer>([
      [8, () => Buffer.from(eventJson)],
      [1, () => Buffer.from(JSON.stringify(randomJson(r)))],
      [1, () => Buffer.from(eventJson.slice(0, r.int(0, eventJson.length)))],
      [1, () => r.bytes(r.int(0, 2048))],
      [1, () => Buffer.alloc(0)],
      [0.4, () => Buffer.from(`{"pad":"${"p".repeat(r.pick([900_000, 1_048_600]))}"}`)],
    ]);
    const body = payload;
    signature = r.oneOf<string | undefined>([
      [3, () => undefined],
      [2, () => signStripe(body, "whsec_not_the_secret")],
      [2, () => signStripe(body, target.webhookSecret, now - 600)],
      // A signature over another body: the event as Stripe sent it, then altered.
      [2, () => signStripe(Buffer.concat([body, Buffer.from(" ")]), target.webhookSecret)],
      [
        2,
        () =>
          r.pick([
            "",
            "t=",
            "v1=",
            "t=abc,v1=def",
            "t=1,v1=1",
            ",,,",
            headerSafe(nasty(r)).slice(0, 300),
          ]),
      ],
    ]);
  }

  const headers: Record<string, string> = {};
  const type = r.oneOf<string | null>([
    [12, () => "application/json"],
    [1, () => "application/json; charset=utf-8"],
    [1, () => "APPLICATION/JSON"],
    [1, () => null],
    [1, () => r.pick(["text/plain", FORM_TYPE, "application/vnd.api+json", "application/jsonx"])],
  ]);
  if (type) headers["content-type"] = type;
  if (signature !== undefined) headers["stripe-signature"] = signature;
  let body = payload;
  if (r.chance(0.06)) {
    const encoding = r.pick(["gzip", "gzip-garbage", "br", "deflate", "x-unknown", "identity"]);
    headers["content-encoding"] = encoding.replace("-garbage", "");
    if (encoding === "gzip") body = gzipSync(payload);
  }
  const method = r.chance(0.9) ? "POST" : r.pick(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);
  return {
    kind: signed ? "webhook (signed)" : "webhook",
    method,
    path: r.chance(0.92)
      ? "/webhooks/stripe"
      : r.pick([
          "/webhooks/stripe/",
          "/webhooks/stripe.data",
          "/WEBHOOKS/STRIPE",
          "/webhooks/stripe?x=1",
        ]),
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : body,
  };
}

/** The demo's hosted checkout page (on Kairos's own origin), with any session and action. */
export function demoCheckoutRequest(r: Random, target: Target): RequestSpec {
  const session =
    target.pools.sessions.length && r.chance(0.3)
      ? r.pick(target.pools.sessions)
      : r.oneOf([
          [3, () => `cs_test_${r.string(24)}`],
          [1, () => strangeSegment(r)],
        ]);
  const post = r.chance(0.6);
  const path = `/_demo-stripe/${r.pick(["c/pay/", "c/pay/", "", "c/", "v1/checkout/sessions/"])}${session}`;
  return {
    kind: "demo checkout",
    method: post ? "POST" : "GET",
    path,
    headers: post ? { "content-type": FORM_TYPE } : {},
    body: post
      ? formBody(r, [
          ["action", fieldValue(r, "action", target.pools)],
          ...(r.chance(0.3)
            ? [["email", fieldValue(r, "email", target.pools)] as [string, string]]
            : []),
        ])
      : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Sending

export type Outcome = {
  status: number | null;
  headers: IncomingHttpHeaders;
  /** The start of the body, for failure messages. */
  excerpt: string;
  /** What the body said, whole, when it is small (pages the tests read). */
  text: string;
  error?: string;
};

const MAX_TEXT = 512 * 1024;

/** Sends the spec exactly: method, path and headers as given, the body framed as asked. */
export function send(target: Target, spec: RequestSpec, timeoutMs = 15_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string | string[]> = { ...spec.headers };
    if (!("host" in headers)) headers.host = target.host;
    if (spec.chunked) headers["transfer-encoding"] = "chunked";
    else if (spec.body !== undefined) headers["content-length"] = String(spec.body.length);
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const failed = (error: Error) =>
      finish({ status: null, headers: {}, excerpt: "", text: "", error: error.message });
    let request;
    try {
      request = httpRequest({
        host: "localhost",
        port: target.port,
        method: spec.method,
        path: spec.path,
        headers,
        agent: target.agent,
        setHost: false,
      });
    } catch (error) {
      return finish({
        status: null,
        headers: {},
        excerpt: "",
        text: "",
        error: `the test could not send this request: ${(error as Error).message}`,
      });
    }
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    request.on("error", failed);
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        if (size < MAX_TEXT) chunks.push(chunk);
        size += chunk.length;
      });
      response.on("error", failed);
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        finish({
          status: response.statusCode ?? null,
          headers: response.headers,
          excerpt: text.replace(/\s+/g, " ").slice(0, 300),
          text,
        });
      });
    });
    if (spec.body !== undefined) request.write(spec.body);
    request.end();
  });
}

/** Sends bytes on a fresh connection and returns every status line that came back. */
export function sendRaw(
  target: Target,
  bytes: Buffer,
  timeoutMs = 5_000,
): Promise<{ statuses: number[]; excerpt: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(target.port, "localhost");
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      resolve({
        statuses: [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((match) => Number(match[1])),
        excerpt: text.replace(/\s+/g, " ").slice(0, 300),
        error,
      });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", (cause) => (error = cause.message));
    socket.on("close", done);
    socket.on("connect", () => socket.write(bytes));
  });
}

/** Requests that are not well-formed HTTP, each on its own connection. */
export function rawRequest(r: Random, target: Target): { name: string; bytes: Buffer } {
  const host = `Host: ${target.host}\r\n`;
  const close = "Connection: close\r\n";
  const form = "service=intro-call";
  const cases: [string, () => string | Buffer][] = [
    ["garbage request line", () => "GARBAGE\r\n\r\n"],
    [
      "raw UTF-8 in the path",
      () => Buffer.from(`GET /book/ünï©ødé/日本 HTTP/1.1\r\n${host}${close}\r\n`),
    ],
    ["space in the path", () => `GET /book/a b HTTP/1.1\r\n${host}${close}\r\n`],
    ["HTTP/1.0 without Host", () => `GET /book/service HTTP/1.0\r\n\r\n`],
    ["HTTP/1.1 without Host", () => `GET / HTTP/1.1\r\n${close}\r\n`],
    ["two Host headers", () => `GET / HTTP/1.1\r\n${host}Host: evil.example\r\n${close}\r\n`],
    ["lower-case method", () => `get / HTTP/1.1\r\n${host}${close}\r\n`],
    ["unknown method", () => `BREW /book HTTP/1.1\r\n${host}${close}\r\n`],
    [
      "absolute-form target",
      () => `GET http://evil.example/book/time HTTP/1.1\r\n${host}${close}\r\n`,
    ],
    ["asterisk target", () => `OPTIONS * HTTP/1.1\r\n${host}${close}\r\n`],
    ["no leading slash", () => `GET book/time HTTP/1.1\r\n${host}${close}\r\n`],
    ["HTTP/2.0 version", () => `GET / HTTP/2.0\r\n${host}${close}\r\n`],
    ["bad version", () => `GET / HTTP/1.1x\r\n${host}${close}\r\n`],
    ["header without colon", () => `GET / HTTP/1.1\r\n${host}NoColonHere\r\n${close}\r\n`],
    ["obsolete line folding", () => `GET / HTTP/1.1\r\n${host}X-Folded: a\r\n  b\r\n${close}\r\n`],
    ["NUL in a header", () => `GET / HTTP/1.1\r\n${host}X-Nul: a\u0000b\r\n${close}\r\n`],
    ["bare LF line ends", () => `GET / HTTP/1.1\n${host.replace("\r", "")}Connection: close\n\n`],
    ["huge header", () => `GET / HTTP/1.1\r\n${host}X-Big: ${"a".repeat(20_000)}\r\n${close}\r\n`],
    ["many headers", () => `GET / HTTP/1.1\r\n${host}${"X-A: 1\r\n".repeat(3000)}${close}\r\n`],
    [
      "Content-Length and Transfer-Encoding",
      () =>
        `POST /book/service HTTP/1.1\r\n${host}Origin: ${target.url}\r\nContent-Type: ${FORM_TYPE}\r\nContent-Length: 18\r\nTransfer-Encoding: chunked\r\n${close}\r\n12\r\n${form}\r\n0\r\n\r\n`,
    ],
    [
      "non-numeric Content-Length",
      () =>
        `POST /book/service HTTP/1.1\r\n${host}Origin: ${target.url}\r\nContent-Type: ${FORM_TYPE}\r\nContent-Length: ${r.pick(["abc", "-1", "1e2", " 18 ", "18, 18", "0x12"])}\r\n${close}\r\n${form}`,
    ],
    [
      "two different Content-Lengths",
      () =>
        `POST /book/service HTTP/1.1\r\n${host}Origin: ${target.url}\r\nContent-Type: ${FORM_TYPE}\r\nContent-Length: 18\r\nContent-Length: 5\r\n${close}\r\n${form}`,
    ],
    [
      "body longer than its Content-Length",
      () =>
        `POST /book/service HTTP/1.1\r\n${host}Origin: ${target.url}\r\nContent-Type: ${FORM_TYPE}\r\nContent-Length: 5\r\n\r\n${form}GARBAGE / HTTP/1.1\r\n\r\n`,
    ],
    [
      "malformed chunk size",
      () =>
        `POST /book/service HTTP/1.1\r\n${host}Origin: ${target.url}\r\nContent-Type: ${FORM_TYPE}\r\nTransfer-Encoding: chunked\r\n${close}\r\nzz\r\n${form}\r\n0\r\n\r\n`,
    ],
    [
      "chunked form without a length",
      () =>
        `POST /book/service HTTP/1.1\r\n${host}Origin: ${target.url}\r\nContent-Type: ${FORM_TYPE}\r\nTransfer-Encoding: chunked\r\n${close}\r\n12\r\n${form}\r\n0\r\n\r\n`,
    ],
    [
      "chunked webhook",
      () =>
        `POST /webhooks/stripe HTTP/1.1\r\n${host}Content-Type: application/json\r\nStripe-Signature: t=1,v1=00\r\nTransfer-Encoding: chunked\r\n${close}\r\n2\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      "unknown Transfer-Encoding",
      () =>
        `POST /book/service HTTP/1.1\r\n${host}Origin: ${target.url}\r\nContent-Type: ${FORM_TYPE}\r\nTransfer-Encoding: gzip, chunked, x\r\n${close}\r\n0\r\n\r\n`,
    ],
    [
      "pipelined requests",
      () =>
        `GET /healthz HTTP/1.1\r\n${host}\r\nGET /book/time.data HTTP/1.1\r\n${host}\r\nGET /nope HTTP/1.1\r\n${host}${close}\r\n`,
    ],
    ["random bytes", () => r.bytes(r.int(1, 600))],
  ];
  const [name, make] = r.pick(cases);
  const made = make();
  return { name, bytes: typeof made === "string" ? Buffer.from(made, "latin1") : made };
}

/**
 * Whether the connection may close under the request before its answer is read: its body is past
 * the form limit, so the server may refuse it (413, or 400 for a broken request line) without
 * reading it, and the unread bytes reset the connection.
 */
export function mayBeCutOff(spec: RequestSpec): boolean {
  return (spec.body?.length ?? 0) > 64 * 1024;
}

/** A one-line description of a request, enough to send it again by hand. */
export function describeRequest(spec: RequestSpec): string {
  const short = (text: string, max: number) =>
    text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
  const headers = Object.entries(spec.headers)
    .map(([name, value]) => `${name}: ${short(JSON.stringify(value), 160)}`)
    .join("; ");
  const body =
    spec.body === undefined
      ? "no body"
      : `body ${JSON.stringify(short(spec.body.toString("latin1"), 240))}${spec.chunked ? " (chunked)" : ""}`;
  return `${spec.method} ${short(spec.path, 200)} [${headers}] ${body}`;
}
