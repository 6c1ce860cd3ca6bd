/**
 * The README's Docker commands, run without Docker (no engine on the machines that test Kairos):
 * the image's environment from the Dockerfile, overridden by `.env.example` read exactly as
 * `docker run --env-file` reads it, the volume at `/data`, the image's CMD and HEALTHCHECK. It
 * proves that `.env.example` cannot fight the image (no DATABASE_PATH away from the volume, no
 * quotes that Docker would keep) and that the documented steps give a healthy server.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort } from "../server-harness";

const root = fileURLToPath(new URL("../..", import.meta.url));
const read = (file: string) => readFileSync(join(root, file), "utf8");

/** `docker run --env-file`: KEY=VALUE per line, comments and blanks skipped, values verbatim. */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    const at = line.indexOf("=");
    env[line.slice(0, at)] = line.slice(at + 1);
  }
  return env;
}

/** The final stage of the Dockerfile: its ENV, VOLUME, CMD and HEALTHCHECK. */
function finalStage(dockerfile: string) {
  const lastFrom = dockerfile.lastIndexOf("\nFROM ");
  const stage = dockerfile.slice(lastFrom).replace(/\\\n\s*/g, " ");
  const env = Object.fromEntries(
    [...stage.matchAll(/^ENV (.+)$/gm)].flatMap((m) =>
      m[1]!
        .trim()
        .split(/\s+/)
        .map((pair) => pair.split("=") as [string, string]),
    ),
  );
  const json = (instruction: string) =>
    JSON.parse(stage.match(new RegExp(`^${instruction}.*?(\\[.*\\])\\s*$`, "m"))![1]!) as string[];
  return {
    env,
    volume: json("VOLUME")[0]!,
    cmd: json("CMD"),
    healthcheck: json("HEALTHCHECK"),
  };
}

describe("the README's Docker commands", () => {
  const readme = read("README.md");
  const run = readme.match(/docker run [^`\n]+/)?.[0] ?? "";

  it("are in the README: build, and run with the volume and the env file", () => {
    expect(readme).toContain("docker build -t kairos .");
    expect(run).toMatch(/-v kairos-data:\/data/);
    expect(run).toMatch(/--env-file \.env/);
  });

  it(".env.example has no value Docker would take differently than a shell", () => {
    for (const [name, value] of Object.entries(parseEnvFile(read(".env.example")))) {
      expect([name, value]).not.toEqual([name, expect.stringMatching(/^["']|["']$|\s#/)]);
    }
  });

  it("run Node with npm start's heap flags and allocator setting (docs/decisions/017)", () => {
    const { scripts } = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    const words = scripts.start!.split(/\s+/);
    const nodeAt = words.indexOf("node");
    const flagsOf = (command: string[]) => command.filter((word) => word.startsWith("--"));
    const startFlags = flagsOf(words.slice(nodeAt));
    const startEnv = Object.fromEntries(words.slice(0, nodeAt).map((word) => word.split("=")));
    expect(startFlags).toContain("--max-old-space-size=128");
    expect(startEnv).toEqual({ MALLOC_ARENA_MAX: "2" });
    const image = finalStage(read("Dockerfile"));
    expect(flagsOf(image.cmd)).toEqual(startFlags);
    expect(image.env).toMatchObject(startEnv);
  });

  it("give a healthy server whose database lives on the volume", async () => {
    const image = finalStage(read("Dockerfile"));
    expect(image.volume).toBe("/data");
    // The container's /app and /data, as folders of this machine.
    const app = mkdtempSync(join(tmpdir(), "kairos-image-"));
    const volume = mkdtempSync(join(tmpdir(), "kairos-volume-"));
    for (const part of ["build", "public", "drizzle", "package.json"])
      cpSync(join(root, part), join(app, part), { recursive: true });
    symlinkSync(join(root, "node_modules"), join(app, "node_modules"));
    const port = await freePort();
    const onVolume = (value: string) => value.replace(/^\/data(?=\/|$)/, volume);
    const env = {
      PATH: process.env.PATH!,
      ...Object.fromEntries(Object.entries(image.env).map(([k, v]) => [k, onVolume(v)])),
      // What the operator fills in, as the README says; the rest of .env.example as it stands.
      ...parseEnvFile(read(".env.example")),
      SESSION_SECRET: "a".repeat(64),
      STRIPE_SECRET_KEY: "sk_test_docker_steps",
      STRIPE_WEBHOOK_SECRET: "whsec_docker_steps",
      // `-p 3000:3000` maps the image's port; here it is any free one.
      PORT: String(port),
    } as unknown as NodeJS.ProcessEnv; // NODE_ENV comes from the Dockerfile's ENV
    const [command, ...args] = image.cmd;
    const server = spawn(command === "node" ? process.execPath : command!, args, {
      cwd: app,
      env,
      stdio: "pipe",
    });
    let output = "";
    server.stdout.on("data", (chunk) => (output += chunk));
    server.stderr.on("data", (chunk) => (output += chunk));
    try {
      const healthy = await waitUntilHealthy(image.healthcheck, env);
      expect(healthy, output).toBe(true);
      expect(existsSync(join(volume, "kairos.db"))).toBe(true);
      expect(existsSync(join(app, "data"))).toBe(false);
    } finally {
      server.kill("SIGTERM");
      await new Promise((resolve) => server.once("exit", resolve));
      rmSync(app, { recursive: true, force: true });
      rmSync(volume, { recursive: true, force: true });
    }
  });
});

/** Runs the image's HEALTHCHECK command until it passes (or 20 s go by). */
async function waitUntilHealthy(healthcheck: string[], env: NodeJS.ProcessEnv) {
  const [command, ...args] = healthcheck; // the JSON form after CMD: ["node", "-e", "..."]
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const check = spawnSync(command === "node" ? process.execPath : command!, args, { env });
    if (check.status === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}
