import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * Creates `dir` and any missing parents, one level at a time. Node's own `mkdirSync(dir,
 * { recursive: true })` can spin forever where the kernel answers ENOENT for a parent that exists
 * (`/proc/anything`); this fails at once, with the real reason.
 */
export function ensureDirectory(dir: string): void {
  const missing: string[] = [];
  for (let current = resolve(dir); !existsSync(current); current = dirname(current)) {
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing) mkdirSync(path);
}
