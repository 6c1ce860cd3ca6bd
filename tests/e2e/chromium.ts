/**
 * Finding Debian's Chromium for the end-to-end layer. Nothing downloads a browser: it is the
 * system package, or CHROMIUM_PATH.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

export function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return existsSync(configured) ? configured : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

const INSTRUCTION =
  "Chromium is needed for the end-to-end tests: install Debian's package (sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.";

/** Installs Debian's chromium with apt when it can (root on Debian); otherwise says how, in one line. */
export function ensureChromium(): string {
  const found = findChromium();
  if (found) return found;
  if (process.env.CHROMIUM_PATH) {
    throw new Error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist. ${INSTRUCTION}`);
  }
  const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (!canInstall) throw new Error(INSTRUCTION);
  console.log("Chromium is missing: installing Debian's chromium package with apt-get...");
  const apt = {
    stdio: "inherit" as const,
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  };
  execFileSync("apt-get", ["update", "-qq"], apt);
  execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], apt);
  const installed = findChromium();
  if (!installed)
    throw new Error(
      `apt-get installed chromium but it is not at /usr/bin/chromium. ${INSTRUCTION}`,
    );
  return installed;
}
