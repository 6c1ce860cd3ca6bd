/**
 * Support for operations.test.ts: the built server as a child process that the test signals itself
 * (to read its exit code and the files it leaves behind), its one-shot commands
 * (`node build/index.js backup|restore <file>` and the npm scripts around them), whole-database
 * snapshots read with better-sqlite3, and a raw HTTP/1.1 connection on which a second request can
 * be sent while the first is still being answered.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { freePort, makeDataDir, type RunningServer } from "../server-harness";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const serverEntry = join(projectRoot, "build/index.js");

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** A running server; shaped like the harness's RunningServer so payment-support's helpers apply. */
export type KairosProcess = RunningServer & {
  pid: number;
  pidFile: string;
  /** What it wrote to stdout alone. */
  stdout: () => string;
  signal: (name: "SIGTERM" | "SIGINT") => void;
  /** Its exit, or a failure (after a SIGKILL) when it has not exited by the deadline. */
  waitForExit: (timeoutMs: number) => Promise<Exit>;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/**
 * Starts `node build/index.js` on a free port with `dataDir` (a new temporary one unless given),
 * the environment limited to PATH, NODE_ENV=test and what `env` adds.
 */
export async function spawnKairos(
  options: { env?: Record<string, string>; dataDir?: string; seed?: boolean } = {},
): Promise<KairosProcess> {
  const dataDir = options.dataDir ?? makeDataDir();
  const databasePath = join(dataDir, "kairos.db");
  // With Stripe keys only demo mode seeds itself: seed the demo practice first, as an operator
  // trying Kairos would.
  if (options.seed) {
    const seeded = spawnSync(process.execPath, [serverEntry, "seed"], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        DATABASE_PATH: databasePath,
        ...options.env,
      },
    });
    if (seeded.status !== 0) throw new Error(`seed failed:\n${seeded.stdout}${seeded.stderr}`);
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const child = spawn(process.execPath, [serverEntry], {
      cwd: projectRoot,
      stdio: "pipe",
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        PORT: String(port),
        APP_URL: url,
        DATABASE_PATH: databasePath,
        ...options.env,
      },
    });
    let output = "";
    let stdout = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
      stdout += chunk;
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
    const exited = exitOf(child);

    const deadline = Date.now() + 20_000;
    while (!/Kairos is listening on/.test(output)) {
      if (child.exitCode !== null) break;
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`server did not start within 20 s:\n${output}`);
      }
      await sleep(25);
    }
    if (child.exitCode !== null) {
      if (attempt < 3 && /already in use/.test(output)) continue;
      throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    }

    const waitForExit = async (timeoutMs: number) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`server did not exit within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
    };
    return {
      url,
      dataDir,
      databasePath,
      pid: child.pid!,
      pidFile: join(dataDir, "kairos.pid"),
      output: () => output,
      stdout: () => stdout,
      signal: (name) => child.kill(name),
      waitForExit,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await waitForExit(15_000);
      },
    };
  }
}

export type CommandResult = { code: number | null; stdout: string; stderr: string };

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment an operator's shell gives a command: the database, NODE_ENV=test, PATH. */
const commandEnv = (databasePath: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  NODE_ENV: "test",
  DATABASE_PATH: databasePath,
});

/** `node build/index.js <args…>`, as the Docker image runs its commands. */
export function kairosCommand(databasePath: string, ...args: string[]) {
  return run(process.execPath, [serverEntry, ...args], commandEnv(databasePath));
}

/** `npm run <script> -- <args…>`, the documented form. */
export function npmScript(databasePath: string, script: string, ...args: string[]) {
  // npm reads its own configuration from HOME; nothing else is passed on.
  return run("npm", ["run", script, "--", ...args], {
    ...commandEnv(databasePath),
    HOME: process.env.HOME,
  });
}

export type Snapshot = Record<string, unknown[]>;

/** Every row of every table, in rowid order (read-only; the file may be in use). */
export function snapshotDatabase(databasePath: string): Snapshot {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((table) => [table, db.prepare(`select * from "${table}" order by rowid`).all()]),
    );
  } finally {
    db.close();
  }
}

export function integrityCheck(databasePath: string): unknown {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return db.pragma("integrity_check", { simple: true });
  } finally {
    db.close();
  }
}

/** The draft id inside a signed `kairos_draft` cookie value (Remix: base64 JSON, then `.signature`). */
export function draftIdInCookie(cookieValue: string): string {
  const [payload] = decodeURIComponent(cookieValue).split(".");
  return JSON.parse(Buffer.from(payload!, "base64").toString("utf8")) as string;
}

/**
 * One TCP connection to the server, written to by hand: requests go out exactly when `send` is
 * called, on this connection, and everything the server answers is collected as text.
 */
export class RawConnection {
  private text = "";
  private ended: Promise<void>;
  private constructor(private socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (this.text += chunk));
    this.ended = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
  }

  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) }, () =>
        resolve(new RawConnection(socket)),
      );
      socket.once("error", reject);
    });
  }

  send(request: string) {
    this.socket.write(request);
  }

  received() {
    return this.text;
  }

  /** Waits for the server to close the connection (failing after the deadline). */
  async closed(timeoutMs: number): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.socket.destroy();
        reject(new Error(`the connection stayed open; received so far:\n${this.text}`));
      }, timeoutMs);
    });
    try {
      await Promise.race([this.ended, late]);
      return this.text;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** An HTTP/1.1 request as bytes on the wire, keeping the connection open. */
export function rawRequest(
  method: string,
  url: string,
  path: string,
  { headers = {}, body = "" }: { headers?: Record<string, string>; body?: string } = {},
): string {
  const { host } = new URL(url);
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, "Connection: keep-alive"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (method !== "GET") lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}
