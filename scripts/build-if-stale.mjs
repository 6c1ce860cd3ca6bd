/**
 * Runs `remix build` when build/index.js is missing or older than any source it is made from.
 * Used by `npm start` (so a fresh clone, or a `git pull`, just works) and by the test setup.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SOURCES = [
  "app",
  "db",
  "server",
  "stripe-emulator", // bundled into the server by the demo mode
  "public/favicon.svg",
  "remix.config.js",
  "package-lock.json",
];

function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (newest, entry) => Math.max(newest, newestMtime(join(path, entry))),
    stat.mtimeMs,
  );
}

export function isBuildStale() {
  const built = newestMtime(join(root, "build/index.js"));
  if (built === 0) return true;
  return SOURCES.some((source) => newestMtime(join(root, source)) > built);
}

export function buildIfStale() {
  if (!isBuildStale()) return false;
  console.log("Building Kairos...");
  const result = spawnSync(
    process.execPath,
    [join(root, "node_modules/@remix-run/dev/dist/cli.js"), "build"],
    {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, NODE_ENV: "production" },
    },
  );
  if (result.status !== 0) throw new Error("remix build failed (see above)");
  return true;
}
