/**
 * Starts the real built server (build/index.js) as a child process with its own temporary data
 * folder and a free port, as `npm start` would, and stops it again. Shared by the integration and
 * end-to-end layers.
 */
import Database from "better-sqlite3";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const serverEntry = join(projectRoot, "build/index.js");

export type RunningServer = {
  url: string;
  dataDir: string;
  databasePath: string;
  /** Everything the process printed so far, stdout and stderr interleaved. */
  output: () => string;
  stop: () => Promise<void>;
};

export function makeDataDir(): string {
  return mkdtempSync(join(tmpdir(), "kairos-test-"));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(),
      );
    });
  });
}

/** Environment for a test server: nothing inherited that could change its behaviour. */
function baseEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, NODE_ENV: "test", ...extra };
}

function spawnServer(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [serverEntry], { cwd: projectRoot, env, stdio: "pipe" });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

async function waitUntilListening(child: ChildProcess, output: () => string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (/Kairos is listening on/.test(output())) return;
    if (child.exitCode !== null)
      throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill("SIGKILL");
  throw new Error(`server did not start within ${timeoutMs} ms:\n${output()}`);
}

/**
 * Starts a server. `dataDir` may be shared between servers (to test restarts); it is removed on
 * stop only when this call created it.
 */
export async function startServer(
  options: {
    env?: Record<string, string | undefined>;
    dataDir?: string;
    /**
     * Seed the demo practice first (`node build/index.js seed`), as an operator trying Kairos with
     * Stripe keys would: only demo mode seeds by itself. Its output (the coach login) comes first
     * in `output()`.
     */
    seed?: boolean;
  } = {},
): Promise<RunningServer> {
  const dataDir = options.dataDir ?? makeDataDir();
  const databasePath = join(dataDir, "kairos.db");
  const seeded = options.seed
    ? runCommand(["seed"], baseEnv({ DATABASE_PATH: databasePath, ...options.env }))
    : "";
  // A port probed free can be taken before the server binds it; then try another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const { child, output } = spawnServer(
      baseEnv({ PORT: String(port), APP_URL: url, DATABASE_PATH: databasePath, ...options.env }),
    );
    try {
      await waitUntilListening(child, output);
    } catch (error) {
      if (attempt < 3 && /already in use/.test(output())) continue;
      throw error;
    }
    return {
      url,
      dataDir,
      databasePath,
      output: () => seeded + output(),
      stop: async () => {
        child.kill("SIGTERM");
        await exited(child);
        if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
}

/** Runs the server expecting it to refuse to start; returns its exit code and output. */
export async function startServerExpectingFailure(env: Record<string, string | undefined>) {
  const { child, output } = spawnServer(baseEnv(env));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const code = await exited(child);
  clearTimeout(timer);
  return { code, output: output() };
}

/** Runs `node build/index.js <args>` to completion; its output, or an error with it. */
function runCommand(args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync(process.execPath, [serverEntry, ...args], { cwd: projectRoot, env });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0)
    throw new Error(`${args.join(" ")} failed (${result.status}):\n${output}`);
  return output;
}

/** Rows read from a running server's database, through a read-only connection of its own. */
export function readDb<T>(server: RunningServer, sql: string, ...params: unknown[]): T[] {
  const db = new Database(server.databasePath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
