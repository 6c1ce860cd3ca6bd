/**
 * `npm run bench`: Kairos's performance budgets (DESIGN.md §8, issue 14) measured on this machine,
 * each figure beside an anchor measured in the same run with the same load, and printed as one
 * table with the budget and PASS or FAIL per row. See docs/performance.md.
 *
 *   node scripts/bench/index.mjs [--quick] [--json <file>]
 *
 * --quick   each load for about a second, fewer requests and bookings (CI's smoke test)
 * --json    also write the rows and every raw figure to <file>
 *
 * A measurement, not a test: it exits 0 whatever the budgets say, and 1 only when the bench itself
 * broke (a server that would not start, a page that would not answer); its rows then say ERROR.
 * Progress goes to stderr, the table to stdout.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { buildIfStale } from "../build-if-stale.mjs";
import { entryScripts, pageScripts, rawGet, scriptWeight } from "./bytes.mjs";
import {
  clientAtReview,
  clientAtTimeStep,
  collectStarts,
  completedEventJson,
  emulatorControl,
  ignoredEventJson,
  pressPay,
  resolveChoice,
  webhookRequest,
} from "./kairos-client.mjs";
import { BROWSER_HEADERS, CONNECTIONS, load } from "./load.mjs";
import {
  makeDataDir,
  NPM_START,
  projectRoot,
  rssBytes,
  seedDatabase,
  startAnchor,
  startKairos,
  tsxCli,
} from "./processes.mjs";

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  const header = readFileSync(new URL(import.meta.url), "utf8").match(/\/\*\*([\s\S]*?)\*\//)[1];
  console.log(header.replace(/^ \* ?/gm, "").trim());
  process.exit(0);
}
const quick = args.includes("--quick");
const jsonIndex = args.indexOf("--json");
const jsonFile = jsonIndex >= 0 ? args[jsonIndex + 1] : null;
if (jsonIndex >= 0 && !jsonFile) {
  console.error("--json needs a file name");
  process.exit(1);
}

/** How much of everything: the full run, or the smoke run. */
const SETTINGS = quick
  ? {
      seconds: 1,
      warmupSeconds: 0.2,
      // Every page between two anchor runs (full), or all pages between one before and one after.
      interleaveAnchors: false,
      fulfilBookings: 50,
      fulfilWarmup: false,
      mixedRequests: 200,
      settleMs: 100,
      startRepeats: 1,
      availability: { sizes: [1_000, 10_000, 100_000], budgetMs: 50, warmupMs: 20, minCalls: 1 },
    }
  : {
      seconds: 5,
      warmupSeconds: 1,
      interleaveAnchors: true,
      fulfilBookings: 1_000,
      fulfilWarmup: true,
      mixedRequests: 10_000,
      settleMs: 500,
      startRepeats: 3,
      availability: {
        sizes: [1_000, 10_000, 100_000],
        budgetMs: 1_500,
        warmupMs: 300,
        minCalls: 3,
      },
    };

const PAGES = ["/", "/book/service", "/book/time"];
const WEIGHED = ["/", "/book/service", "/book/time", "/book/details", "/book/review"];
const BUDGET = {
  pageRatio: 0.8,
  webhooksPerSecond: 1_500,
  fulfilPerSecond: 600,
  availabilityMsAt10k: 5,
  availabilityGrowth: 1.5,
  htmlBytes: 30 * 1024,
  jsGzipBytes: 100 * 1024,
  rssBytes: 150 * 1024 * 1024,
  smallHeapSlowdown: 0.2,
  startMs: 1_000,
};

// ---------------------------------------------------------------- formatting

const int = (n) => Math.round(n).toLocaleString("en-US");
const ms = (n) => `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)} ms`;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const mb = (n) => `${Math.round(n / 1024 / 1024)} MB`;
const times = (n) => `${n.toFixed(2)}×`;
const progress = (line) => console.error(`bench: ${line}`);

// ---------------------------------------------------------------- rows

/** Every row the table has, in order; each is filled in by its section (or marked ERROR). */
const ROWS = [
  ["start", "start to healthy"],
  ...PAGES.map((path) => [`page ${path}`, `page ${path}`]),
  ["webhook dedup", "webhook verify+dedup"],
  ["webhook fulfil", "webhook through fulfil"],
  ["availability history", "availability 90d, history"],
  ["availability dense", "availability 90d, dense"],
  ...WEIGHED.flatMap((path) => [
    [`html ${path}`, `HTML ${path}`],
    [`js ${path}`, `JS ${path}`],
  ]),
  ["memory", "memory after mixed requests"],
  ["memory small heap", "memory, --max-old-space-size=128"],
];
const rows = new Map(
  ROWS.map(([id, what]) => [
    id,
    { what, anchor: "", measured: "not measured", ratio: "", budget: "", pass: false },
  ]),
);
const raw = {};
const failures = [];

function setRow(id, row) {
  Object.assign(rows.get(id), row);
}

/** Runs a section; if it breaks, its rows say ERROR and the bench exits 1 at the end. */
async function section(name, ids, work) {
  progress(`${name}...`);
  const started = performance.now();
  try {
    await work();
  } catch (error) {
    failures.push({ section: name, error });
    progress(`${name} FAILED: ${error?.stack ?? error}`);
    for (const id of ids)
      setRow(id, {
        measured: `ERROR: ${String(error?.message ?? error).split("\n")[0]}`,
        pass: false,
      });
  }
  progress(`${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// ---------------------------------------------------------------- helpers

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Page requests as a browser sends them (with the client's cookie, when it has one). */
const pageRequest = (path, client) => ({
  method: "GET",
  path,
  headers: {
    ...BROWSER_HEADERS,
    ...(client ? { cookie: client.cookieHeader, "x-forwarded-for": client.address } : {}),
  },
});

const loadSettings = () => ({
  seconds: SETTINGS.seconds,
  warmupSeconds: SETTINGS.warmupSeconds,
});

function describeLoad(result, unit = "req/s") {
  const parts = [
    `${int(result.perSecond)} ${unit}`,
    `p50 ${ms(result.p50Ms)}`,
    `p99 ${ms(result.p99Ms)}`,
    `${ms(result.cpuMsPerRequest)} CPU/req`,
  ];
  if (!result.clean)
    parts.push(
      `NOT CLEAN: ${JSON.stringify(result.statusCodes)}, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  return parts.join(" · ");
}

/** Counts the `outcome` of each webhook answer (what Kairos says it did with the event). */
function outcomeCounter() {
  const counts = {};
  return {
    counts,
    onResponse: (status, body) => {
      let outcome = `status ${status}`;
      try {
        outcome = JSON.parse(body).outcome ?? outcome;
      } catch {
        // Not JSON: counted under its status.
      }
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    },
  };
}

// ---------------------------------------------------------------- sections

async function measureStart() {
  const anchorTimes = [];
  for (let i = 0; i < SETTINGS.startRepeats; i++) {
    const anchor = await startAnchor("node");
    anchorTimes.push(anchor.startMs);
    await anchor.stop();
  }
  const firstTimes = [];
  let dataDir;
  for (let i = 0; i < SETTINGS.startRepeats; i++) {
    dataDir = makeDataDir();
    const kairos = await startKairos({ dataDir });
    firstTimes.push(kairos.startMs);
    // The last one's database is kept for the restart.
    await kairos.stop({ keepData: i === SETTINGS.startRepeats - 1 });
  }
  // A restart on the last one's database: migrated and seeded already.
  const again = await startKairos({ dataDir });
  const restartMs = again.startMs;
  await again.stop();
  const first = median(firstTimes);
  const anchor = median(anchorTimes);
  raw.start = { anchorTimes, firstTimes, restartMs };
  setRow("start", {
    anchor: `bare node:http ${ms(anchor)}`,
    measured: `first start ${ms(first)} (migrate + seed; median of ${firstTimes.length}) · restart ${ms(restartMs)}`,
    ratio: times(first / anchor),
    budget: `< ${int(BUDGET.startMs)} ms`,
    pass: first < BUDGET.startMs && restartMs < BUDGET.startMs,
  });
}

/** The main servers: both anchors and one Kairos, for pages, webhooks and bytes. */
let servers;

async function startMainServers() {
  const [node, remix, shell, kairos] = await Promise.all([
    startAnchor("node"),
    startAnchor("remix"),
    // Built from server/ as it is now: should that not start, the pages are compared with the
    // bare Remix page instead (and the bench reports that it broke).
    startAnchor("kairos-shell").catch((error) => {
      failures.push({ section: "anchor in Kairos's shell", error });
      progress(`the anchor in Kairos's shell did not start: ${error.message}`);
      return null;
    }),
    startKairos(),
  ]);
  servers = { node, remix, shell, kairos };
  raw.servers = { kairosLog: kairos.logPath };
}

async function measureBytes() {
  const { kairos, remix } = servers;
  const choice = await resolveChoice(kairos.url);
  const client = await clientAtTimeStep(kairos.url, choice);
  const cache = new Map();
  const anchorPage = await rawGet(`${remix.url}/`);
  const anchorHtml = anchorPage.body.length;
  raw.bytes = { anchorHtml, pages: {} };
  const weigh = async (path) => {
    const page = await rawGet(`${kairos.url}${path}`, {
      cookie: client.cookieHeader,
      "x-forwarded-for": client.address,
    });
    if (page.status !== 200) throw new Error(`GET ${path} answered ${page.status}`);
    const html = page.body.toString("utf8");
    const js = await scriptWeight(kairos.url, `${kairos.url}${path}`, pageScripts(html), cache);
    const floor = await scriptWeight(kairos.url, `${kairos.url}${path}`, entryScripts(html), cache);
    raw.bytes.pages[path] = {
      html: page.body.length,
      sent: page.raw.length,
      encoding: page.encoding,
      js,
      floor,
    };
    const compressed = page.encoding !== null;
    setRow(`html ${path}`, {
      anchor: `trivial Remix page ${kb(anchorHtml)}`,
      measured: `${kb(page.body.length)}, sent ${compressed ? `${kb(page.raw.length)} ${page.encoding}` : "uncompressed"}`,
      ratio: times(page.body.length / anchorHtml),
      budget: `< ${kb(BUDGET.htmlBytes)}, compressed`,
      pass: page.body.length < BUDGET.htmlBytes && compressed,
    });
    setRow(`js ${path}`, {
      anchor: `floor (entry + imports) ${kb(floor.gzip)}`,
      measured: `${kb(js.gzip)} gzip in ${js.files} files (${kb(js.bytes)} raw; sent ${js.sentAs.join("/")})`,
      ratio: floor.gzip > 0 ? times(js.gzip / floor.gzip) : "",
      budget: `≤ ${kb(BUDGET.jsGzipBytes)} gzip`,
      pass: js.gzip <= BUDGET.jsGzipBytes,
    });
  };
  // The wizard walked as a client does; each step weighed once it can be shown.
  await weigh("/");
  await weigh("/book/service");
  await weigh("/book/time");
  const starts = await collectStarts(client, 1);
  await clientAtReview(client, starts[0], "bytes@example.com", async () => weigh("/book/details"));
  await weigh("/book/review");
}

/** A page of an anchor under the same load as Kairos's pages; it must answer cleanly. */
async function anchorPage(anchor) {
  const result = await load({
    url: anchor.url,
    requests: [pageRequest("/")],
    pid: anchor.pid,
    ...loadSettings(),
  });
  if (!result.clean)
    throw new Error(`${anchor.name} did not answer cleanly: ${describeLoad(result)}`);
  return result;
}

/**
 * Each page against the trivial page in Kairos's shell (the issue's anchor), run
 * before and after it (full run: A P A P A P A) and compared with the mean of the two: the machine
 * is shared and its speed drifts, and a drift then moves both alike. The bare Remix page and the
 * bare node:http page are measured once, to show what the shell itself costs.
 */
async function measurePages() {
  const { kairos, node, remix } = servers;
  const shell = servers.shell ?? remix;
  const anchorName = servers.shell
    ? "trivial page in Kairos's shell"
    : "trivial Remix page (bare: the one in Kairos's shell did not start)";
  const client = await clientAtTimeStep(kairos.url, await resolveChoice(kairos.url));
  // Fresh processes: their JIT has not seen these paths yet. A first pass, not measured, warms
  // every page and the anchor beyond what each run's own warm-up does.
  for (const [server, paths] of [
    [shell, ["/"]],
    [kairos, PAGES],
  ]) {
    await load({
      url: server.url,
      requests: paths.map((path) => pageRequest(path, path === "/book/time" ? client : null)),
      seconds: 2 * SETTINGS.warmupSeconds,
    });
  }
  const floor = await anchorPage(node);
  const bare = await anchorPage(remix);
  const anchors = [await anchorPage(shell)];
  const results = {};
  for (const [i, path] of PAGES.entries()) {
    results[path] = await load({
      url: kairos.url,
      requests: [pageRequest(path, path === "/book/time" ? client : null)],
      pid: kairos.pid,
      ...loadSettings(),
    });
    if (SETTINGS.interleaveAnchors || i === PAGES.length - 1) anchors.push(await anchorPage(shell));
    progress(`  ${path}: ${describeLoad(results[path])}`);
  }
  progress(
    `  anchors: trivial page in Kairos's shell ${anchors.map((a) => int(a.perSecond)).join(", ")} req/s; bare Remix ${int(bare.perSecond)}; node:http ${int(floor.perSecond)}`,
  );
  raw.pages = { floor, bare, anchors, results };
  PAGES.forEach((path, i) => {
    const [before, after] = SETTINGS.interleaveAnchors
      ? [anchors[i], anchors[i + 1]]
      : [anchors[0], anchors.at(-1)];
    const anchor = (before.perSecond + after.perSecond) / 2;
    const anchorCpu = (before.cpuMsPerRequest + after.cpuMsPerRequest) / 2;
    const result = results[path];
    const ratio = result.perSecond / anchor;
    // The anchor moved by more than a quarter while this page ran: something else took the CPU.
    const drift =
      Math.max(before.perSecond, after.perSecond) / Math.min(before.perSecond, after.perSecond);
    const noisy =
      drift > 1.25 ? ` · NOISY: the anchor moved ${Math.round((drift - 1) * 100)}%, run again` : "";
    setRow(`page ${path}`, {
      anchor: `${anchorName} ${int(anchor)} req/s (${int(before.perSecond)} before, ${int(after.perSecond)} after), ${ms(anchorCpu)} CPU/req; bare Remix ${int(bare.perSecond)} req/s, ${ms(bare.cpuMsPerRequest)} CPU/req; node:http ${int(floor.perSecond)} req/s`,
      measured: `${describeLoad(result)}${noisy}`,
      ratio: times(ratio),
      budget: `≥ ${BUDGET.pageRatio}×`,
      pass: result.clean && ratio >= BUDGET.pageRatio,
    });
  });
}

/** The same signed event body POSTed to the anchors' tiny resource route. */
function anchorPost(path) {
  return {
    method: "POST",
    path,
    headers: { "content-type": "application/json; charset=utf-8" },
    body: ignoredEventJson("evt_anchor"),
  };
}

async function measureWebhooks() {
  const { kairos, remix, node } = servers;
  const remixResult = await load({
    url: remix.url,
    requests: [anchorPost("/resource")],
    pid: remix.pid,
    ...loadSettings(),
  });
  const nodeResult = await load({
    url: node.url,
    requests: [anchorPost("/resource")],
    pid: node.pid,
    ...loadSettings(),
  });
  if (!remixResult.clean || !nodeResult.clean) throw new Error("an anchor did not answer cleanly");
  // One closure for the warm-up and the timed run: every event a new id.
  const outcomes = outcomeCounter();
  const result = await load({
    url: kairos.url,
    requests: [
      webhookRequest(
        kairos.webhookSecret,
        (n) => ignoredEventJson(`evt_bench_dedup_${n}`),
        outcomes.onResponse,
      ),
    ],
    pid: kairos.pid,
    ...loadSettings(),
  });
  progress(
    `  verify+dedup: ${describeLoad(result, "events/s")} ${JSON.stringify(outcomes.counts)}`,
  );
  const allRecorded = Object.keys(outcomes.counts).every((outcome) => outcome === "ignored");
  raw.webhookDedup = {
    anchorRemix: remixResult,
    anchorNode: nodeResult,
    result,
    outcomes: outcomes.counts,
  };
  setRow("webhook dedup", {
    anchor: `Remix resource route POST ${int(remixResult.perSecond)}/s, ${ms(remixResult.cpuMsPerRequest)} CPU/req; node:http ${int(nodeResult.perSecond)}/s`,
    measured: `${describeLoad(result, "events/s")}${allRecorded ? "" : ` · outcomes ${JSON.stringify(outcomes.counts)}`}`,
    ratio: times(result.perSecond / remixResult.perSecond),
    budget: `≥ ${int(BUDGET.webhooksPerSecond)}/s`,
    pass: result.clean && allRecorded && result.perSecond >= BUDGET.webhooksPerSecond,
  });
  return { remixResult, result };
}

/**
 * Paid bookings held and paid for, their `checkout.session.completed` not yet delivered: the
 * wizard driven by form clients to Pay (`workers` at a time), each session then paid through the
 * emulator's control endpoint while its webhooks are held back, so the bench delivers them.
 */
async function prepareFulfil(kairos, count) {
  const choice = await resolveChoice(kairos.url);
  const browser = await clientAtTimeStep(kairos.url, choice);
  // Starts an hour apart: neighbours closer than a session and its buffers exclude each other.
  const starts = [];
  for (const start of await collectStarts(browser, 2 * count + 40)) {
    const at = Date.parse(start);
    if (starts.length === 0 || at - Date.parse(starts.at(-1)) >= 60 * 60_000) starts.push(start);
  }
  await emulatorControl(kairos.emulatorUrl, "/webhooks/hold");
  const sessions = [];
  let next = 0;
  let refused = 0;
  const worker = async () => {
    while (sessions.length < count && next < starts.length) {
      const startAt = starts[next++];
      const client = await clientAtTimeStep(kairos.url, choice);
      let sessionId;
      try {
        await clientAtReview(client, startAt, `fulfil${next}@example.com`);
        sessionId = await pressPay(client);
      } catch {
        refused++; // That time could not be had after all: the next one.
        continue;
      }
      await emulatorControl(kairos.emulatorUrl, `/checkout/sessions/${sessionId}/complete`, {
        outcome: "paid",
      });
      sessions.push(sessionId);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { sessions, offered: starts.length, refused };
}

async function measureFulfil(dedup) {
  const { kairos } = servers;
  const prepStarted = performance.now();
  const { sessions, offered, refused } = await prepareFulfil(kairos, SETTINGS.fulfilBookings);
  const prepMs = performance.now() - prepStarted;
  progress(
    `  ${sessions.length} paid sessions prepared in ${(prepMs / 1000).toFixed(1)} s (${offered} times offered, ${refused} refused)`,
  );
  // A tenth warms up (untimed). Autocannon builds a request or two per connection beyond those it
  // sends, and each build takes a session: each run leaves that margin unused.
  const margin = 2 * CONNECTIONS;
  const warm = SETTINGS.fulfilWarmup ? Math.max(CONNECTIONS, Math.floor(sessions.length / 10)) : 0;
  const timed = sessions.length - (warm > 0 ? warm + margin : 0) - margin;
  if (timed < CONNECTIONS)
    throw new Error(`only ${sessions.length} paid sessions could be prepared`);
  const pending = [...sessions];
  // Should the list run dry after all, a session already paid: answered `already_confirmed`.
  const payload = (n) =>
    completedEventJson(`evt_bench_fulfil_${n}`, pending.shift() ?? sessions[0]);
  const warmOutcomes = outcomeCounter();
  if (warm > 0) {
    await load({
      url: kairos.url,
      requests: [
        webhookRequest(kairos.webhookSecret, (n) => payload(`w${n}`), warmOutcomes.onResponse),
      ],
      amount: warm,
    });
  }
  const outcomes = outcomeCounter();
  const result = await load({
    url: kairos.url,
    requests: [webhookRequest(kairos.webhookSecret, (n) => payload(`t${n}`), outcomes.onResponse)],
    amount: timed,
    pid: kairos.pid,
  });
  progress(
    `  through fulfil: ${describeLoad(result, "events/s")} ${JSON.stringify(outcomes.counts)}`,
  );
  const confirmed = outcomes.counts.confirmed ?? 0;
  const allConfirmed = confirmed === result.responses;
  raw.webhookFulfil = {
    prepMs,
    sessions: sessions.length,
    warm,
    result,
    outcomes: outcomes.counts,
    warmOutcomes: warmOutcomes.counts,
  };
  setRow("webhook fulfil", {
    anchor: `verify+dedup ${int(dedup.result.perSecond)}/s; Remix resource route POST ${int(dedup.remixResult.perSecond)}/s`,
    measured: `${describeLoad(result, "events/s")} · ${int(confirmed)} of ${int(result.responses)} confirmed${allConfirmed ? "" : ` (${JSON.stringify(outcomes.counts)})`}`,
    ratio: times(result.perSecond / dedup.result.perSecond),
    budget: `≥ ${int(BUDGET.fulfilPerSecond)}/s`,
    pass: result.clean && allConfirmed && result.perSecond >= BUDGET.fulfilPerSecond,
  });
}

async function stopMainServers() {
  if (!servers) return;
  await Promise.all(Object.values(servers).map((server) => server?.stop()));
  servers = undefined;
}

/**
 * A fresh Kairos under `SETTINGS.mixedRequests` mixed requests (the three pages and new webhook
 * events in turn); its resident memory after start and after them, and how fast it went.
 */
async function mixedRun({ asNpmStart }) {
  const kairos = await startKairos({ asNpmStart });
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTINGS.settleMs));
    const rssStart = rssBytes(kairos.pid);
    const client = await clientAtTimeStep(kairos.url, await resolveChoice(kairos.url));
    const tag = asNpmStart ? "production" : "default";
    const result = await load({
      url: kairos.url,
      requests: [
        pageRequest("/"),
        pageRequest("/book/service"),
        pageRequest("/book/time", client),
        webhookRequest(kairos.webhookSecret, (n) =>
          ignoredEventJson(`evt_bench_mixed_${tag}_${n}`),
        ),
      ],
      amount: SETTINGS.mixedRequests,
      pid: kairos.pid,
    });
    await new Promise((resolve) => setTimeout(resolve, SETTINGS.settleMs));
    return { rssStart, rssAfter: rssBytes(kairos.pid), result };
  } finally {
    await kairos.stop();
  }
}

async function measureMemory() {
  const anchor = await startAnchor("node");
  let anchorAfter;
  const anchorStart = rssBytes(anchor.pid);
  try {
    await load({ url: anchor.url, requests: [pageRequest("/")], amount: SETTINGS.mixedRequests });
    anchorAfter = rssBytes(anchor.pid);
  } finally {
    await anchor.stop();
  }
  // As npm start runs it (NPM_START: its heap capped), then as `node build/index.js` would.
  const small = await mixedRun({ asNpmStart: true });
  progress(
    `  as npm start runs it (${NPM_START.described}): ${mb(small.rssStart)} → ${mb(small.rssAfter)}, ${describeLoad(small.result)}`,
  );
  const normal = await mixedRun({ asNpmStart: false });
  progress(
    `  V8's default heap: ${mb(normal.rssStart)} → ${mb(normal.rssAfter)}, ${describeLoad(normal.result)}`,
  );
  raw.memory = { anchorStart, anchorAfter, production: small, defaultHeap: normal };
  const n = int(SETTINGS.mixedRequests);
  const failed = (run) =>
    run.result.responses - run.result.ok + run.result.errors + run.result.timeouts;
  setRow("memory", {
    anchor: `bare node:http ${mb(anchorStart)} after start, ${mb(anchorAfter)} after ${n} requests`,
    measured: `${mb(small.rssStart)} after start → ${mb(small.rssAfter)} after ${n} mixed requests (${int(small.result.perSecond)} req/s, ${failed(small)} failed; npm start's ${NPM_START.described})`,
    ratio: times(small.rssAfter / anchorAfter),
    budget: `< ${mb(BUDGET.rssBytes)} after ${int(10_000)}`,
    pass: small.rssAfter < BUDGET.rssBytes && small.result.clean,
  });
  const slowdown = 1 - small.result.perSecond / normal.result.perSecond;
  setRow("memory small heap", {
    anchor: `V8's default heap (${mb(normal.rssAfter)} after): ${int(normal.result.perSecond)} req/s`,
    measured: `${mb(small.rssStart)} → ${mb(small.rssAfter)}, ${int(small.result.perSecond)} req/s (${slowdown >= 0 ? "−" : "+"}${Math.abs(slowdown * 100).toFixed(0)}%), ${failed(small)} failed`,
    ratio: times(small.result.perSecond / normal.result.perSecond),
    budget: `0 failed, slowdown ≤ ${BUDGET.smallHeapSlowdown * 100}%`,
    pass: small.result.clean && slowdown <= BUDGET.smallHeapSlowdown,
  });
}

async function measureAvailability() {
  const dataDir = makeDataDir();
  try {
    const databasePath = join(dataDir, "kairos.db");
    seedDatabase(databasePath);
    const timed = spawnSync(
      process.execPath,
      [
        tsxCli,
        join(projectRoot, "scripts/bench/availability.mjs"),
        databasePath,
        JSON.stringify(SETTINGS.availability),
      ],
      {
        cwd: projectRoot,
        env: { PATH: process.env.PATH, NODE_ENV: "production", DATABASE_PATH: databasePath },
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const line = timed.stdout.trim().split("\n").pop();
    if (timed.status !== 0 || !line?.startsWith("{"))
      throw new Error(`availability.mjs failed (${timed.status}): ${timed.stderr.slice(-2000)}`);
    const result = JSON.parse(line);
    raw.availability = result;
    const [small, middle, large] = SETTINGS.availability.sizes;
    const label = (n) => (n >= 1000 ? `${n / 1000}k` : String(n));
    for (const [layout, bySize] of Object.entries(result.layouts)) {
      const growth = bySize[large].ms / bySize[small].ms;
      setRow(`availability ${layout}`, {
        anchor: `0 bookings ${ms(result.empty.ms)} (${result.coach}, ${result.service}, ${result.empty.starts} starts)`,
        measured: SETTINGS.availability.sizes
          .map((size) => `${label(size)} ${ms(bySize[size].ms)}`)
          .join(" · ")
          .concat(
            ` (first call after the writes: ${SETTINGS.availability.sizes.map((size) => ms(bySize[size].firstMs)).join(" · ")})`,
          ),
        ratio: `${times(growth)} ${label(small)}→${label(large)}`,
        budget: `< ${BUDGET.availabilityMsAt10k} ms at ${label(middle)}, < ${BUDGET.availabilityGrowth}× ${label(small)}→${label(large)}`,
        pass: bySize[middle].ms < BUDGET.availabilityMsAt10k && growth < BUDGET.availabilityGrowth,
      });
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- output

function machine() {
  const cpuinfo = (() => {
    try {
      return readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      return "";
    }
  })();
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? os.cpus()[0]?.model ?? "unknown",
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GB`,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    // Other work on the machine moves every figure: said with them.
    loadAverage: os.loadavg().map((n) => n.toFixed(2)),
  };
}

function table(list) {
  const header = ["what", "anchor", "measured", "ratio", "budget", "result"];
  const lines = list.map((row) => [
    row.what,
    row.anchor || "—",
    row.measured,
    row.ratio || "—",
    row.budget || "—",
    row.pass ? "PASS" : "FAIL",
  ]);
  const escape = (cell) => String(cell).replaceAll("|", "\\|");
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...lines.map((cells) => `| ${cells.map(escape).join(" | ")} |`),
  ].join("\n");
}

// ---------------------------------------------------------------- main

const startedAt = new Date();
const info = machine();
progress(
  `${quick ? "quick" : "full"} run on ${info.cpus} CPUs (${info.cpuModel}), ${info.memory}, Node ${info.node}, load average ${info.loadAverage.join(" ")}`,
);
try {
  if (buildIfStale()) progress("built Kairos (build/ was older than its sources)");
} catch (error) {
  failures.push({ section: "build", error });
}

if (failures.length === 0) {
  await section("start-up", ["start"], measureStart);
  await section(
    "servers",
    [...rows.keys()].filter((id) => /^(page|webhook|html|js) /.test(id)),
    startMainServers,
  );
  if (servers) {
    await section(
      "bytes",
      WEIGHED.flatMap((path) => [`html ${path}`, `js ${path}`]),
      measureBytes,
    );
    await section(
      "pages",
      PAGES.map((path) => `page ${path}`),
      measurePages,
    );
    let dedup;
    await section("webhooks: verify+dedup", ["webhook dedup"], async () => {
      dedup = await measureWebhooks();
    });
    await section("webhooks: through fulfil", ["webhook fulfil"], async () => {
      if (!dedup) throw new Error("verify+dedup was not measured");
      await measureFulfil(dedup);
    });
  }
  await stopMainServers().catch((error) => failures.push({ section: "stopping", error }));
  await section("memory", ["memory", "memory small heap"], measureMemory);
  await section(
    "availability",
    ["availability history", "availability dense"],
    measureAvailability,
  );
}

const list = [...rows.values()];
const finishedAt = new Date();
const endLoadAverage = os.loadavg().map((n) => n.toFixed(2));
console.log(
  [
    "",
    `Kairos bench (${quick ? "quick" : "full"}), ${startedAt.toISOString()}`,
    `Machine: ${info.cpus} CPUs (${info.cpuModel}), ${info.memory} RAM, Node ${info.node}; load average ${info.loadAverage.join(" ")} at the start, ${endLoadAverage.join(" ")} at the end`,
    `Loads: autocannon, ${CONNECTIONS} connections, one worker, ${SETTINGS.seconds} s each after ${SETTINGS.warmupSeconds} s warm-up`,
    "",
  ].join("\n"),
);
console.log(table(list));
const passed = list.filter((row) => row.pass).length;
console.log(
  `\n${passed} of ${list.length} rows within budget; took ${((finishedAt - startedAt) / 1000).toFixed(0)} s.`,
);
for (const { section: name, error } of failures)
  console.log(`The bench broke in "${name}": ${String(error?.message ?? error).split("\n")[0]}`);

if (jsonFile) {
  writeFileSync(
    jsonFile,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        mode: quick ? "quick" : "full",
        machine: { ...info, loadAverageAtEnd: endLoadAverage },
        settings: { ...SETTINGS, connections: CONNECTIONS },
        budgets: BUDGET,
        rows: ROWS.map(([id]) => ({ id, ...rows.get(id) })),
        raw,
        failures: failures.map(({ section: name, error }) => ({
          section: name,
          error: String(error?.stack ?? error),
        })),
      },
      null,
      2,
    )}\n`,
  );
}
process.exit(failures.length > 0 ? 1 : 0);
