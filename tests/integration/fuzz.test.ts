/**
 * Fuzz: no 5xx from anything a client or Stripe can send, and nothing invalid stored (issue 9).
 *
 * Two servers — one in demo mode (its Stripe emulator inside, forwarding headers not trusted) and
 * one paying through an emulator in this process (behind a proxy it trusts) — receive several
 * thousand requests made by a seeded random generator (fuzz-support.ts): every route and random
 * paths, any method, content type and body, forged cookies, hosts and origins, webhook deliveries
 * signed and not, bytes that are not HTTP, and clients walking the booking wizard who send garbage
 * half-way. The same seed makes the same requests; only the order in which concurrent requests
 * arrive (and so a few answers) varies.
 *
 * It proves that:
 * - no request is answered with a 5xx, and every request gets an HTTP answer (a request that got a
 *   5xx is shrunk to the fewest headers and the shortest path and body that still get one, and
 *   reported with what the server logged for it);
 * - afterwards the database is sound (integrity, foreign keys), every draft holds only values the
 *   wizard's forms accept, the only bookings are those of clients who asked to book, no two
 *   bookings holding a coach's time overlap, and only events signed as Stripe signs were recorded;
 * - both servers still answer normally, and neither logged an error or a stack trace.
 */
import { readFileSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
import { DateTime, IANAZone } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalTimeZone } from "~/lib/timezones";
import { detailsStepSchema } from "~/wizard/schemas";
import { STEPS } from "~/wizard/step-names";
import { BOOKING_STATUSES, DRAFT_STATUSES } from "~db/schema";
import { startServer, type RunningServer } from "../server-harness";
import { offeredStarts } from "./form-client";
import {
  COACHES,
  decorate,
  demoCheckoutRequest,
  describeRequest,
  draftIdOf,
  foreignBodyPost,
  FORM_TYPE,
  formEncode,
  formPost,
  mayBeCutOff,
  FREE_SERVICE,
  oddMethodRequest,
  pageGet,
  Random,
  rawRequest,
  send,
  sendRaw,
  sequenceEmail,
  SERVICES,
  strangePathRequest,
  VALID_ZONES,
  webhookDelivery,
  type Outcome,
  type RequestSpec,
  type Target,
} from "./fuzz-support";
import { hostedPage, readDb, startPaymentWorld, type PaymentWorld } from "./payment-support";

/** Fixed, so that every run sends the same requests; FUZZ_SEED=<n> explores others. Failures name it. */
const SEED = Number(process.env.FUZZ_SEED ?? 0x6b41_1209) >>> 0;
const SEED_NAME = `0x${SEED.toString(16)}`;
/** Per server: single random requests, webhook deliveries, raw-socket requests, wizard walks. */
const PLAN = { single: 1_300, webhook: 200, raw: 40, walk: 70 };
const CONCURRENCY = 12;
/** At most this many causes of 5xx answers are told apart (each shrinks one request: a dozen re-sends). */
const MAX_CAUSES = 40;

// ---------------------------------------------------------------------------------------------
// What came back

/** A request that broke a rule, kept whole so that it can be shrunk and re-sent. */
type Offender = {
  target: Target;
  job: number;
  spec: RequestSpec | null;
  request: string;
  answer: string;
};

class Findings {
  requests = 0;
  statuses = new Map<string, number>();
  /** Answered with a 5xx. */
  serverErrors: Offender[] = [];
  /** No HTTP answer at all. */
  unanswered: Offender[] = [];

  private count(key: string) {
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
  }

  note(target: Target, job: number, spec: RequestSpec, outcome: Outcome) {
    this.requests++;
    this.count(`${target.name} ${outcome.status ?? "no answer"}`);
    const offender = () => ({
      target,
      job,
      spec,
      request: describeRequest(spec),
      answer:
        outcome.status === null
          ? `no answer: ${outcome.error}`
          : `${outcome.status} ${outcome.excerpt.slice(0, 160)}`,
    });
    if (outcome.status !== null && outcome.status >= 500) this.serverErrors.push(offender());
    if (outcome.status === null && !mayBeCutOff(spec)) this.unanswered.push(offender());
  }

  noteRaw(
    target: Target,
    job: number,
    name: string,
    answer: { statuses: number[]; excerpt: string },
  ) {
    this.requests++;
    for (const status of answer.statuses) this.count(`${target.name} ${status}`);
    const offender = {
      target,
      job,
      spec: null,
      request: `raw request: ${name}`,
      answer: answer.excerpt,
    };
    if (answer.statuses.some((status) => status >= 500)) this.serverErrors.push(offender);
    if (answer.statuses.length === 0) this.unanswered.push(offender);
  }
}

/** Lines a server printed while `during` ran (nothing else is sent meanwhile). */
async function loggedDuring(server: RunningServer, during: () => Promise<unknown>) {
  const before = server.output().length;
  await during();
  await new Promise((resolve) => setTimeout(resolve, 20));
  return server
    .output()
    .slice(before)
    .split("\n")
    .filter((line) => line.trim() && !/ INFO request /.test(line));
}

/** The error a log excerpt tells of: its message and where it was thrown, ids and paths elided. */
function errorSignature(lines: string[]): string {
  const message = lines.find((line) => /^\s*(\w*Error|Warning)\b/.test(line)) ?? lines[0] ?? "";
  const frame = lines.find((line) => /^\s+at\s/.test(line) && !/node:internal/.test(line));
  return `${normalise(message.trim())}${frame ? ` ${frame.trim()}` : ""}`;
}

const normalise = (line: string) =>
  line
    .replace(/https?:\/\/\S+/g, "<url>")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/route=\S+/g, "route=…")
    .slice(0, 220);

/**
 * The request with every header, query parameter, body field and the path dropped or cut short
 * where it still gets a 5xx without them: what is left is what causes it.
 */
async function shrink(target: Target, spec: RequestSpec): Promise<RequestSpec> {
  let smallest = spec;
  const attempt = async (change: Partial<RequestSpec>) => {
    const candidate = { ...smallest, ...change };
    if (((await send(target, candidate)).status ?? 0) >= 500) smallest = candidate;
  };
  const route = () => smallest.path.split("?")[0]!;
  const params = () => (smallest.path.includes("?") ? smallest.path.split("?")[1]!.split("&") : []);
  const withQuery = (path: string, query: string[]) =>
    query.length ? `${path}?${query.join("&")}` : path;
  // The path first: the home page has no rate limit and no cookie to depend on.
  if (params().length) await attempt({ path: route() });
  if (route() !== "/") await attempt({ path: withQuery("/", params()) });
  if (route().endsWith(".data") && route() !== "/_root.data")
    await attempt({ path: withQuery("/_root.data", params()) });
  for (const param of params())
    await attempt({
      path: withQuery(
        route(),
        params().filter((p) => p !== param),
      ),
    });
  for (const name of Object.keys(spec.headers)) {
    const { [name]: _dropped, ...headers } = smallest.headers;
    await attempt({ headers });
  }
  if (smallest.body?.length) await attempt({ body: undefined });
  const fields = () => smallest.body?.toString("latin1").split("&") ?? [];
  for (const field of fields().length > 1 ? fields() : []) {
    const rest = fields().filter((f) => f !== field);
    await attempt({ body: Buffer.from(rest.join("&"), "latin1") });
  }
  return smallest;
}

/** One cause of 5xx answers: the shrunk request's shape and the error the server logged for it. */
type Cause = {
  shape: string;
  count: number;
  /** The header values, methods and servers seen with it. */
  values: Map<string, Set<string>>;
  /** The headers (other than Content-Type) a request must carry to have this cause. */
  required: string[];
  /** Its path and query keys, when no header is required. */
  route: string;
  example: Offender;
};

const headerValue = (offender: Offender, name: string) =>
  JSON.stringify(offender.spec?.headers[name] ?? null)
    .slice(0, 80)
    .replaceAll(String(offender.target.port), "$PORT");

/** Whether a 5xx answer has a cause already found: the same values in the headers it needs. */
function explains(cause: Cause, offender: Offender): boolean {
  if (!offender.spec) return cause.route === offender.request;
  if (cause.route.startsWith("raw request")) return false;
  const [route, query = ""] = cause.route.split("?");
  // A data request's cause depends on its method (HEAD is taken for an action) and its path.
  if (route!.endsWith(".data")) {
    const data = offender.spec.path.split("?")[0]!.endsWith(".data");
    if (!data || !cause.values.get("method")?.has(offender.spec.method)) return false;
  }
  if (cause.required.length)
    return cause.required.every((name) => cause.values.get(name)!.has(headerValue(offender, name)));
  return (
    offender.spec.path.startsWith(route!) &&
    query.split("&").every((param) => offender.spec!.path.includes(param.replace("…", "")))
  );
}

/** Counts a 5xx answer to its cause, with its server, method and values of the headers that matter. */
function noteCause(cause: Cause, offender: Offender) {
  cause.count++;
  const seen = (name: string, value: string) =>
    cause.values.set(name, (cause.values.get(name) ?? new Set()).add(value));
  seen("server", offender.target.name);
  if (offender.spec) seen("method", offender.spec.method);
  for (const name of cause.required) seen(name, headerValue(offender, name));
}

/**
 * The cause of a 5xx answer no cause found so far explains: the request shrunk (shrinking only
 * drops things, so the values of what is left are the request's own), and the error the server
 * logs for what is left. The same shape and error with other values is the same cause.
 */
async function findCause(
  offender: Offender,
  causes: Cause[],
  server: RunningServer,
): Promise<Cause> {
  if (!offender.spec)
    return {
      shape: offender.request,
      count: 0,
      values: new Map(),
      required: [],
      route: offender.request,
      example: offender,
    };
  const smallest = await shrink(offender.target, offender.spec);
  let answer: Outcome | undefined;
  const log = await loggedDuring(server, async () => {
    answer = await send(offender.target, smallest);
  });
  const headers = Object.keys(smallest.headers).sort();
  const [path, query] = smallest.path.split("?");
  const route = `${path}${query === undefined ? "" : `?${query.replace(/=[^&]*/g, "=…")}`}`;
  const shape =
    `${route} with ${headers.length ? headers.join(", ") : "no headers"}${smallest.body?.length ? " and a body" : ""}` +
    `\n   → ${answer?.status ?? "no answer"}; logged: ${errorSignature(log) || "nothing"}`;
  return (
    causes.find((cause) => cause.shape === shape) ?? {
      shape,
      count: 0,
      values: new Map(),
      required: headers.filter((name) => name !== "content-type"),
      route,
      example: offender,
    }
  );
}

/**
 * The 5xx answers grouped by cause, each cause with the values seen with it, so that a developer
 * sees the whole family at once (every broken Host, say) and one request to send again.
 */
async function explainServerErrors(servers: Map<Target, RunningServer>): Promise<string> {
  const causes: Cause[] = [];
  const unexplained: Offender[] = [];
  for (const offender of findings.serverErrors) {
    let cause = causes.find((known) => explains(known, offender));
    if (!cause && causes.length < MAX_CAUSES) {
      cause = await findCause(offender, causes, servers.get(offender.target)!);
      if (!causes.includes(cause)) causes.push(cause);
    }
    if (cause) noteCause(cause, offender);
    else unexplained.push(offender);
  }
  const listed = causes
    .sort((a, b) => b.count - a.count)
    .map((cause, i) => {
      const values = [...cause.values]
        .map(
          ([name, set]) =>
            `      ${name}: ${[...set].slice(0, 6).join(" | ")}${set.size > 6 ? " | …" : ""}`,
        )
        .join("\n");
      const { job, target, request } = cause.example;
      return `${i + 1}. ${cause.count}× ${cause.shape}\n${values}\n   e.g. job ${job} on ${target.name}: ${request.slice(0, 300)}`;
    });
  const rest = unexplained
    .slice(0, 5)
    .map(
      (o) =>
        `   job ${o.job} on ${o.target.name}: ${o.request.slice(0, 300)}\n     → ${o.answer.slice(0, 100)}`,
    );
  return [
    ...listed,
    ...(unexplained.length
      ? [`and ${unexplained.length} more of causes not told apart, e.g.:`, ...rest]
      : []),
  ].join("\n");
}

/** Error entries of a log (ERROR/FATAL lines, anything with a stack), counted by their first line. */
function loggedErrors(output: string): Map<string, number> {
  const entries: string[][] = [];
  for (const line of output.split("\n")) {
    if (/^\s+(at\s|\w+: |\{|\})/.test(line) && entries.length) entries.at(-1)!.push(line);
    else entries.push([line]);
  }
  const errors = new Map<string, number>();
  for (const [first, ...rest] of entries) {
    const stack = rest.find((line) => /^\s+at\s/.test(line));
    const isError =
      stack !== undefined ||
      /^\d\d:\d\d:\d\d (ERROR|FATAL)\b/.test(first!) ||
      /unhandled|uncaught/i.test(first!);
    if (!isError) continue;
    const key = `${normalise(first!.replace(/^\d\d:\d\d:\d\d /, ""))}${stack ? `\n      ${stack.trim()}` : ""}`;
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// The servers

let demo: RunningServer;
let world: PaymentWorld;
let targets: Target[];
const findings = new Findings();
/** Ids of the events this test signed with a server's secret, as Stripe would. */
const signedEventIds = new Set<string>();
/** The drafts of wizard walks that asked to book (sent their cookie to the review step's action). */
const draftsThatAskedToBook = new Set<string>();
let serverErrorReport = "";

function targetFor(
  name: string,
  server: RunningServer,
  webhookSecret: string,
  trustsProxy: boolean,
): Target {
  const url = new URL(server.url);
  return {
    name,
    url: server.url,
    port: Number(url.port),
    host: url.host,
    agent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }),
    webhookSecret,
    sessionSecret: readFileSync(join(server.dataDir, "session-secret"), "utf8").trim(),
    trustsProxy,
    pools: { starts: [], sessions: [] },
  };
}

/** The demo prints the signing secret of its in-process emulator, so tools can sign events too. */
function demoWebhookSecret(server: RunningServer): string {
  const secret = server.output().match(/webhook signing secret (whsec_\w+)/)?.[1];
  if (!secret) throw new Error(`the demo did not print its webhook secret:\n${server.output()}`);
  return secret;
}

// ---------------------------------------------------------------------------------------------
// Jobs

type Job = { index: number; target: Target; kind: keyof typeof PLAN; seed: number };

/** Every job of the run, in a shuffled order fixed by the seed; each with its own random stream. */
function planJobs(seed: number): Job[] {
  const r = new Random(seed);
  const jobs: Omit<Job, "index">[] = [];
  for (const target of targets) {
    for (const kind of Object.keys(PLAN) as (keyof typeof PLAN)[]) {
      for (let i = 0; i < PLAN[kind]; i++)
        jobs.push({ target, kind, seed: Math.floor(r.next() * 2 ** 32) });
    }
  }
  for (let i = jobs.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!];
  }
  return jobs.map((job, index) => ({ ...job, index }));
}

async function runJobs(jobs: Job[]) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await runJob(jobs[next++]!);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function runJob(job: Job) {
  const r = new Random(job.seed);
  const { target } = job;
  if (job.kind === "raw") {
    const { name, bytes } = rawRequest(r, target);
    findings.noteRaw(target, job.index, name, await sendRaw(target, bytes));
  } else if (job.kind === "webhook") {
    let spec = webhookDelivery(r, target, signedEventIds);
    if (r.chance(0.2)) spec = decorate(r, target, spec);
    findings.note(target, job.index, spec, await send(target, spec));
  } else if (job.kind === "walk") {
    await walkTheWizard(r, target, job.index);
  } else {
    const spec = decorate(r, target, randomRequest(r, target));
    findings.note(target, job.index, spec, await send(target, spec));
  }
}

/** One random request to any route. */
function randomRequest(r: Random, target: Target): RequestSpec {
  return r.oneOf<RequestSpec>([
    [40, () => formPost(r, target)],
    [22, () => pageGet(r, target)],
    [10, () => foreignBodyPost(r, target)],
    [10, () => strangePathRequest(r, target)],
    [8, () => oddMethodRequest(r, target)],
    [5, () => demoCheckoutRequest(r, target)],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Clients walking the wizard

/** A browser without JavaScript: keeps its cookies, posts forms from the site's own pages. */
class Browser {
  private cookies = new Map<string, string>();

  constructor(
    readonly target: Target,
    readonly job: number,
    readonly address: string,
  ) {}

  get draftId(): string | null {
    return draftIdOf(this.cookies.get("kairos_draft"));
  }

  async send(spec: RequestSpec, r?: Random): Promise<Outcome> {
    const headers = { ...spec.headers };
    const own = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    // A forged cookie from the generator rides along with the real one, or replaces it.
    if (own && headers.cookie && r?.chance(0.5)) headers.cookie = `${headers.cookie}; ${own}`;
    else if (own && !headers.cookie) headers.cookie = own;
    headers["x-forwarded-for"] ??= this.address;
    const sent = { ...spec, headers };
    // Anything but a GET to the review step (any spelling of its path) may run its action, which
    // books the draft of the cookie sent: that draft counts as having asked to.
    if (spec.method !== "GET" && /review/i.test(spec.path) && this.draftId)
      draftsThatAskedToBook.add(this.draftId);
    const outcome = await send(this.target, sent);
    findings.note(this.target, this.job, sent, outcome);
    for (const line of [outcome.headers["set-cookie"] ?? []].flat()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair!.split("=");
      this.cookies.set(name!.trim(), value.join("="));
    }
    return outcome;
  }

  get(path: string) {
    return this.send({ kind: "wizard walk", method: "GET", path, headers: {} });
  }

  post(path: string, fields: Record<string, string>) {
    return this.send({
      kind: "wizard walk",
      method: "POST",
      path,
      headers: { "content-type": FORM_TYPE, origin: this.target.url },
      body: Buffer.from(formEncode(Object.entries(fields))),
    });
  }
}

/** Where a 303 sent the browser on this site (path and query), or null. */
function redirectedTo(outcome: Outcome): string | null {
  const location = outcome.headers.location;
  if (outcome.status !== 303 || !location) return null;
  const url = new URL(location, "http://kairos.invalid");
  return `${url.pathname}${url.search}`;
}

const WIZARD_FORMS = [
  "/book/service",
  "/book/coach",
  "/book/time",
  "/book/details",
  "/book/review",
];

/** Garbage from a client in the middle of the wizard: mostly forms of its steps, with its cookie. */
function garbageMidWay(r: Random, target: Target): RequestSpec {
  const spec = r.oneOf<RequestSpec>([
    [7, () => formPost(r, target, r.pick(WIZARD_FORMS))],
    [2, () => pageGet(r, target)],
    [1, () => foreignBodyPost(r, target)],
    [1, () => strangePathRequest(r, target)],
    [1, () => oddMethodRequest(r, target)],
  ]);
  return decorate(r, target, spec);
}

/**
 * A client walks the wizard as a person would, up to booking (a free session confirmed, a paid one
 * paid, declined or cancelled at the checkout page). At a random step it sends garbage with its
 * cookie, then stops there or carries on as if nothing happened.
 */
async function walkTheWizard(r: Random, target: Target, job: number) {
  const browser = new Browser(target, job, `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`);
  const service = r.pick(SERVICES);
  let checkout: { url: string; session: string } | null = null;

  const steps: (() => Promise<boolean>)[] = [
    async function openTheSite() {
      await browser.get(r.chance(0.5) ? "/" : `/book?service=${service}`);
      return true;
    },
    async function chooseServiceAndCoach() {
      const next = redirectedTo(await browser.post("/book/service", { service }));
      if (next !== "/book/coach") return next === "/book/time";
      const coach = await browser.post("/book/coach", { coach: r.pick(COACHES) });
      return redirectedTo(coach) === "/book/time";
    },
    async function chooseTime() {
      if (r.chance(0.4))
        await browser.post("/book/time", { intent: "timezone", timezone: r.pick(VALID_ZONES) });
      let page = await browser.get("/book/time");
      let starts = offeredStarts(page.text);
      // A week with nothing free: look at the next ones.
      for (let weeks = 0; starts.length === 0 && weeks < 3; weeks++) {
        const next = page.text.match(/href="\/book\/time\?week=([\d-]+)"[^>]*>[^<]*Next/i)?.[1];
        if (!next) break;
        page = await browser.get(`/book/time?week=${next}`);
        starts = offeredStarts(page.text);
      }
      if (starts.length === 0) return false;
      target.pools.starts.push(...starts.slice(0, 5));
      const chosen = await browser.post("/book/time", { startAt: r.pick(starts) });
      return redirectedTo(chosen) === "/book/details";
    },
    async function giveDetails() {
      const details = await browser.post("/book/details", {
        name: r.pick(["Ada Lovelace", "Zoë Ó Súilleabháin", "李小龍"]),
        email: sequenceEmail(job),
        notes: r.chance(0.5) ? "" : "Looking forward to it.",
        timezone: r.pick(VALID_ZONES),
        fax_number: "",
      });
      return redirectedTo(details) === "/book/review";
    },
    async function review() {
      return (await browser.get("/book/review")).status === 200;
    },
    async function confirmOrPay() {
      const booked = await browser.post("/book/review", {
        intent: service === FREE_SERVICE ? "confirm" : "pay",
      });
      const location = booked.headers.location ?? "";
      const session = location.match(/\/c\/pay\/(cs_test_\w+)/)?.[1];
      if (!session) return redirectedTo(booked) === "/book/confirmed";
      target.pools.sessions.push(session);
      checkout = { url: new URL(location, target.url).toString(), session };
      return true;
    },
    async function payAndReturn() {
      if (!checkout) {
        await browser.get("/book/confirmed");
        return true;
      }
      const action = r.pick(["pay", "pay", "pay_delayed", "decline", "cancel"] as const);
      // The demo's checkout page is on Kairos's own origin, behind the same protections.
      if (target.name === "demo") await browser.post(new URL(checkout.url).pathname, { action });
      else await hostedPage(checkout.url, action);
      await browser.get(
        action === "cancel"
          ? "/book/review?checkout=cancelled"
          : `/book/return?session_id=${checkout.session}`,
      );
      await browser.get("/book/confirmed");
      return true;
    },
  ];

  const interruptAt = r.int(0, steps.length + 1);
  for (const [at, step] of steps.entries()) {
    if (at === interruptAt) {
      for (let n = r.int(2, 6); n > 0; n--) await browser.send(garbageMidWay(r, target), r);
      if (r.chance(0.5)) break;
    }
    if (!(await step())) break;
  }
}

// ---------------------------------------------------------------------------------------------
// What was stored

type Row = Record<string, unknown>;
const EMAIL_SHAPE = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

/** Whether a detail is one the details form accepts as is (already trimmed, within its limits). */
function formAccepts(field: "name" | "email" | "notes", value: unknown): boolean {
  const parsed = detailsStepSchema.shape[field].safeParse(value);
  return parsed.success && parsed.data === value;
}

function zoneProblem(zone: unknown): string | null {
  const shown = JSON.stringify(zone);
  if (typeof zone !== "string") return `timezone ${shown} is not text`;
  if (canonicalTimeZone(zone) !== zone) return `timezone ${shown} is not a canonical zone`;
  if (!IANAZone.isValidZone(zone)) return `timezone ${shown} is unknown to luxon`;
  return null;
}

/** Problems with a client's details as stored (a draft's, which may be unfilled, or a booking's). */
function detailProblems(row: Row, required: boolean): string[] {
  const problems: string[] = [];
  const check = (column: string, field: "name" | "email" | "notes") => {
    const value = row[column];
    if ((value === null && !required) || (field === "notes" && value === "")) return;
    if (!formAccepts(field, value))
      problems.push(`${column} ${JSON.stringify(value)} is not what the form accepts`);
  };
  check("client_name", "name");
  check("client_email", "email");
  check("client_notes", "notes");
  const email = row.client_email;
  if (
    email !== null &&
    (typeof email !== "string" || email.length > 254 || !EMAIL_SHAPE.test(email))
  )
    problems.push(`client_email ${JSON.stringify(email)} is not an address`);
  if (row.client_timezone !== null || required) {
    const zone = zoneProblem(row.client_timezone);
    if (zone) problems.push(zone);
  }
  return problems;
}

/** Everything stored that no form or signed event should have let in, as readable lines. */
function auditDatabase(server: RunningServer): string[] {
  const problems: string[] = [];
  const integrity = readDb<{ integrity_check: string }>(server, "pragma integrity_check");
  if (integrity[0]?.integrity_check !== "ok")
    problems.push(`integrity: ${JSON.stringify(integrity)}`);
  const orphans = readDb<Row>(server, "pragma foreign_key_check");
  if (orphans.length) problems.push(`foreign keys: ${JSON.stringify(orphans.slice(0, 5))}`);

  const settings = readDb<Row>(server, "select * from practice_settings")[0]!;
  const interval = Number(settings.slot_interval_minutes);
  const noticeMs = Number(settings.minimum_notice_minutes) * 60_000;
  const windowMs = (Number(settings.booking_window_days) + 8) * 86_400_000;
  const services = new Map(readDb<Row>(server, "select * from services").map((s) => [s.id, s]));
  const coaches = new Map(readDb<Row>(server, "select * from coaches").map((c) => [c.id, c]));
  const offers = new Set(
    readDb<Row>(server, "select * from coach_services").map((o) => `${o.coach_id}:${o.service_id}`),
  );
  const offered = (row: Row) => offers.has(`${row.coach_id}:${row.service_id}`);

  /** A start the engine could have offered: on the slot grid in the coach's zone, in the window. */
  const startProblems = (row: Row, earliest: number): string[] => {
    const start = row.start_at as number;
    const coach = coaches.get(row.coach_id);
    if (!coach || !services.has(row.service_id)) return ["a start without a service and a coach"];
    const found: string[] = [];
    if (!offered(row)) found.push("a coach who does not give its service");
    const local = DateTime.fromMillis(start, { zone: coach.timezone as string });
    const minuteOfDay = local.hour * 60 + local.minute;
    if (!Number.isInteger(start) || minuteOfDay % interval || local.second || local.millisecond)
      found.push(`start ${local.toISO()} is off the ${interval}-minute grid`);
    if (start < earliest || start > earliest + windowMs)
      found.push(`start ${new Date(start).toISOString()} is outside the bookable window`);
    return found;
  };

  for (const draft of readDb<Row>(server, "select * from booking_drafts")) {
    const found: string[] = [];
    if (!/^[\w-]{32}$/.test(String(draft.id))) found.push("an id that is not 192 random bits");
    if (!DRAFT_STATUSES.includes(draft.status as never)) found.push(`status ${draft.status}`);
    if (!STEPS.includes(draft.step as never)) found.push(`step ${draft.step}`);
    if (draft.service_id !== null && !services.get(draft.service_id)?.active)
      found.push("a service that is not on offer");
    if (draft.coach_id !== null && draft.service_id !== null && !offered(draft))
      found.push("a coach who does not give its service");
    // A start is chosen after the draft is made, at least the minimum notice ahead.
    if (draft.start_at !== null)
      found.push(...startProblems(draft, (draft.created_at as number) + noticeMs));
    if (
      draft.checkout_session_id !== null &&
      !/^cs_test_\w+$/.test(String(draft.checkout_session_id))
    )
      found.push(`checkout session ${JSON.stringify(draft.checkout_session_id)}`);
    if ((draft.expires_at as number) > (draft.updated_at as number) + 86_400_000)
      found.push("an expiry more than 24 hours after its last change");
    found.push(...detailProblems(draft, false));
    problems.push(...found.map((problem) => `draft ${String(draft.id).slice(0, 8)}…: ${problem}`));
  }

  const bookings = readDb<Row>(server, "select * from bookings order by coach_id, start_at");
  for (const booking of bookings) {
    const found: string[] = [];
    if (!draftsThatAskedToBook.has(booking.draft_id as string))
      found.push(`made from draft ${booking.draft_id}, whose client never asked to book`);
    if (!BOOKING_STATUSES.includes(booking.status as never)) found.push("an unknown status");
    const service = services.get(booking.service_id);
    const length = (booking.end_at as number) - (booking.start_at as number);
    if (service && length !== (service.duration_minutes as number) * 60_000)
      found.push("a length that is not its service's");
    if (
      service &&
      (booking.price_minor !== service.price_minor || booking.currency !== service.currency)
    )
      found.push("a price that is not its service's");
    found.push(...startProblems(booking, booking.created_at as number));
    found.push(...detailProblems(booking, true));
    problems.push(
      ...found.map((problem) => `booking ${booking.id} (${booking.status}): ${problem}`),
    );
  }
  const holding = bookings.filter((b) =>
    ["held", "processing", "confirmed"].includes(b.status as string),
  );
  for (let i = 1; i < holding.length; i++) {
    const [a, b] = [holding[i - 1]!, holding[i]!];
    if (a.coach_id === b.coach_id && (b.start_at as number) < (a.end_at as number))
      problems.push(`bookings ${a.id} and ${b.id} of coach ${a.coach_id} overlap`);
  }

  for (const event of readDb<Row>(server, "select id, type from stripe_events")) {
    const id = String(event.id);
    if (id.startsWith("evt_forged_") || (id.startsWith("evt_fuzz_") && !signedEventIds.has(id)))
      problems.push(`stripe event ${id} (${event.type}) was recorded without Stripe's signature`);
  }
  for (const email of readDb<Row>(server, "select recipient, kind from email_outbox")) {
    if (!EMAIL_SHAPE.test(String(email.recipient)))
      problems.push(`email ${email.kind} to ${JSON.stringify(email.recipient)}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

const servers = () =>
  [
    ["demo", demo],
    ["stripe", world.server],
  ] as const;

describe(`fuzzing every route with seed ${SEED_NAME}`, () => {
  beforeAll(async () => {
    [demo, world] = await Promise.all([startServer(), startPaymentWorld()]);
    targets = [
      targetFor("demo", demo, demoWebhookSecret(demo), false),
      targetFor("stripe", world.server, world.emulator.webhookSecret, true),
    ];
    const started = performance.now();
    await runJobs(planJobs(SEED));
    await world.emulator.webhooks.idle();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const statuses = [...findings.statuses].sort().map(([key, n]) => `${key}: ${n}`);
    console.log(
      `fuzz seed ${SEED_NAME}: ${findings.requests} requests in ${seconds} s, ` +
        `${draftsThatAskedToBook.size} drafts of wizard walks asked to book; answers by server and status:\n  ` +
        statuses.join("\n  "),
    );
    if (findings.serverErrors.length) {
      serverErrorReport = await explainServerErrors(
        new Map([
          [targets[0]!, demo],
          [targets[1]!, world.server],
        ]),
      );
    }
  }, 180_000);

  afterAll(async () => {
    for (const target of targets ?? []) target.agent.destroy();
    await Promise.all([demo?.stop(), world?.stop()]);
  });

  it(`answers several thousand random requests (seed ${SEED_NAME}) without a single 5xx`, () => {
    expect(findings.requests).toBeGreaterThan(3_000);
    expect(
      findings.serverErrors.length,
      `seed ${SEED_NAME}: ${findings.serverErrors.length} requests were answered with a 5xx. ` +
        `By cause, each shrunk to what still gets one:\n${serverErrorReport}\n`,
    ).toBe(0);
  });

  it("answers every request with HTTP (no connection dropped without an answer)", () => {
    const examples = findings.unanswered
      .slice(0, 10)
      .map((o) => `  [${o.target.name} job ${o.job}] ${o.request}\n    → ${o.answer}`);
    expect(
      findings.unanswered.length,
      `seed ${SEED_NAME}: requests without an answer:\n${examples.join("\n")}\n`,
    ).toBe(0);
  });

  it("stores nothing invalid: a sound database, valid drafts, no stray or overlapping bookings", () => {
    for (const [name, server] of servers()) {
      const problems = auditDatabase(server);
      expect(
        problems,
        `seed ${SEED_NAME}, ${name} server:\n${problems.slice(0, 40).join("\n")}`,
      ).toEqual([]);
    }
    // The audit looked at something: the walks made drafts and bookings.
    const count = (sql: string) => readDb<{ n: number }>(world.server, sql)[0]!.n;
    expect(
      count("select count(*) n from booking_drafts where client_email is not null"),
    ).toBeGreaterThan(0);
    expect(count("select count(*) n from bookings")).toBeGreaterThan(0);
    expect(
      count("select count(*) n from stripe_events where id like 'evt_fuzz_%'"),
    ).toBeGreaterThan(0);
  });

  it("still serves pages and health checks afterwards", async () => {
    for (const [, server] of servers()) {
      for (const path of ["/", "/healthz", "/book/service"])
        expect((await fetch(`${server.url}${path}`)).status, path).toBe(200);
    }
  });

  it("logged no error and no stack trace", () => {
    let total = 0;
    const report = servers().map(([name, server]) => {
      const errors = loggedErrors(server.output());
      total += [...errors.values()].reduce((sum, n) => sum + n, 0);
      const kinds = [...errors]
        .sort(([, a], [, b]) => b - a)
        .map(([entry, n]) => `  ${n}× ${entry}`);
      return `${name} server, ${errors.size} kinds of error:\n${kinds.join("\n")}`;
    });
    expect(total, `seed ${SEED_NAME}: errors in the logs\n${report.join("\n")}\n`).toBe(0);
  });
});
