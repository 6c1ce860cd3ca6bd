/**
 * The processes the bench measures: Kairos (build/index.js, as production runs it) and the anchors
 * (anchor.mjs), each a child with its own port, data folder and log file, and what the kernel says
 * about them (/proc: CPU time, resident memory). Ports are probed free on loopback.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const kairosEntry = join(projectRoot, "build/index.js");

/**
 * How `npm start` runs Kairos: the environment and the V8 flags of package.json's start script
 * (`[NAME=value …] node <flags> scripts/start.mjs`: the allocator's arenas, the heap's limits), so
 * the bench runs the server, and the anchor in its shell, as production starts them.
 */
export const NPM_START = (() => {
  const { scripts } = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8"));
  const words = scripts.start.trim().split(/\s+/);
  const nodeAt = words.indexOf("node");
  const assignments = nodeAt < 0 ? [] : words.slice(0, nodeAt);
  if (nodeAt < 0 || !assignments.every((word) => /^[A-Z_]+=\S*$/.test(word)))
    throw new Error(`npm start is not [NAME=value …] node <flags> <script>: ${scripts.start}`);
  const flags = words.slice(nodeAt + 1).filter((word) => word.startsWith("--"));
  return {
    env: Object.fromEntries(assignments.map((word) => word.split("="))),
    flags,
    /** As the report prints it. */
    described: [...assignments, ...flags].join(" "),
  };
})();
const anchorEntry = fileURLToPath(new URL("./anchor.mjs", import.meta.url));
/** tsx runs TypeScript from source (app/, server/) where the server build does not export it. */
export const tsxCli = join(projectRoot, "node_modules/tsx/dist/cli.mjs");
const cssHooks = fileURLToPath(new URL("./css-hooks.mjs", import.meta.url));

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS = (() => {
  const result = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const ticks = Number(result.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch (error) {
    if (error.code === "ENOENT") throw new Error(`process ${pid} is gone (it exited or crashed)`);
    throw error;
  }
}

/** CPU time (user + system, every thread) the process has used so far, in milliseconds. */
export function cpuMs(pid) {
  const stat = readProc(pid, "stat");
  // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS;
}

/** Resident memory of the process, in bytes. */
export function rssBytes(pid) {
  const status = readProc(pid, "status");
  const kb = Number(status.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1]);
  return kb * 1024;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** One GET without keep-alive; resolves with the status, or 0 when nothing answers yet. */
function probe(url) {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("error", () => resolve(0));
    request.setTimeout(2_000, () => request.destroy());
  });
}

/**
 * Polls `url` every few milliseconds until it answers 200; the milliseconds since `since`
 * (a performance.now() reading). Throws when the child exits first or after `timeoutMs`.
 */
export async function waitHealthy(url, child, since, { timeoutMs = 30_000, describe } = {}) {
  const deadline = since + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `${describe?.() ?? "the process"} exited (${child.exitCode}) before it was healthy`,
      );
    if ((await probe(url)) === 200) return performance.now() - since;
    if (performance.now() > deadline)
      throw new Error(`${describe?.() ?? "the process"} was not healthy within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function tail(path, lines = 30) {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * A started child: its address, pid, how long it took to be healthy, and a stop that waits for it
 * to exit and removes its folder. Its stdout and stderr go to a log file in that folder (a pipe
 * nobody reads would block it; reading one would cost the bench CPU during the loads).
 */
async function startChild({ name, args, env, nodeOptions = [], dataDir }) {
  const port = await freePort();
  const logPath = join(dataDir, `${name}.log`);
  const logFd = openSync(logPath, "a");
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeOptions, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, PORT: String(port), ...env(port) },
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  const url = `http://127.0.0.1:${port}`;
  const describe = () => `${name}\n--- last lines of ${logPath} ---\n${tail(logPath)}`;
  let startMs;
  try {
    startMs = await waitHealthy(`${url}/healthz`, child, started, { describe });
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    name,
    url,
    port,
    pid: child.pid,
    startMs,
    dataDir,
    logPath,
    child,
    log: () => tail(logPath, 1e9),
    /** Stops it (SIGTERM, as an operator would) and removes its folder unless `keepData`. */
    stop: async ({ keepData = false } = {}) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        // It died on its own: its folder (and log) stay for a look.
        console.error(
          `bench: ${name} had exited (${child.exitCode ?? child.signalCode}); its log: ${logPath}`,
        );
        return;
      }
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(killer);
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function makeDataDir(prefix = "kairos-bench-") {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Kairos as production runs it (NODE_ENV=production, so React's production build), in demo mode
 * (KAIROS_DEMO=1: no Stripe keys, the emulator in process) with a fresh database, so its first
 * start migrates and seeds the demo practice. The webhook secret and the emulator's port are fixed
 * here, so the bench can sign events and drive the emulator's control endpoints.
 * TRUST_PROXY=loopback lets each simulated client have its own address (X-Forwarded-For), so the
 * per-address limits (payment attempts) see many clients, as they would in production.
 */
export async function startKairos({
  nodeOptions = [],
  asNpmStart = true,
  dataDir = makeDataDir(),
  env = {},
} = {}) {
  const webhookSecret = `whsec_bench${randomBytes(16).toString("hex")}`;
  const emulatorPort = await freePort();
  const server = await startChild({
    name: "kairos",
    args: [kairosEntry],
    nodeOptions: [...(asNpmStart ? NPM_START.flags : []), ...nodeOptions],
    dataDir,
    env: (port) => ({
      ...(asNpmStart ? NPM_START.env : {}),
      NODE_ENV: "production",
      KAIROS_DEMO: "1",
      HOST: "127.0.0.1",
      APP_URL: `http://127.0.0.1:${port}`,
      DATABASE_PATH: join(dataDir, "kairos.db"),
      SESSION_SECRET: randomBytes(32).toString("hex"),
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_EMULATOR_PORT: String(emulatorPort),
      TRUST_PROXY: "loopback",
      ...env,
    }),
  });
  return {
    ...server,
    databasePath: join(dataDir, "kairos.db"),
    webhookSecret,
    emulatorUrl: `http://127.0.0.1:${emulatorPort}`,
  };
}

/**
 * An anchor server (anchor.mjs): `node` (bare node:http), `remix` (a trivial Remix app) or
 * `kairos-shell` (a trivial page in Kairos's HTTP layer, entry and root route, run from source
 * through tsx's hooks, with Kairos's environment and a database seeded by Kairos's own command).
 */
export async function startAnchor(kind, { nodeOptions = [] } = {}) {
  const dataDir = makeDataDir("kairos-bench-anchor-");
  if (kind !== "kairos-shell") {
    return startChild({
      name: `anchor-${kind}`,
      args: [anchorEntry, kind],
      nodeOptions,
      dataDir,
      env: () => ({ NODE_ENV: "production" }),
    });
  }
  const databasePath = join(dataDir, "kairos.db");
  seedDatabase(databasePath);
  return startChild({
    name: `anchor-${kind}`,
    args: ["--import", "tsx", "--import", cssHooks, anchorEntry, kind],
    // Kairos's shell runs as npm start runs Kairos, so that the pages' ratios compare pages alone.
    nodeOptions: [...NPM_START.flags, ...nodeOptions],
    dataDir,
    env: (port) => ({
      ...NPM_START.env,
      NODE_ENV: "production",
      KAIROS_DEMO: "1",
      APP_URL: `http://127.0.0.1:${port}`,
      DATABASE_PATH: databasePath,
      SESSION_SECRET: randomBytes(32).toString("hex"),
    }),
  });
}

/** A database migrated and seeded with the demo practice by Kairos's own `seed` command. */
export function seedDatabase(databasePath) {
  const seeded = spawnSync(process.execPath, [kairosEntry, "seed"], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, NODE_ENV: "test", DATABASE_PATH: databasePath },
    encoding: "utf8",
  });
  if (seeded.status !== 0) throw new Error(`seed failed: ${seeded.stdout}${seeded.stderr}`);
}
