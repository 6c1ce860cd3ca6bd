import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^~db\/(.*)$/, replacement: here("./db/$1") },
      { find: /^~\/(.*)$/, replacement: here("./app/$1") },
    ],
  },
  test: {
    reporters: ["default", "./tests/summary-reporter.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "app/**/*.test.{ts,tsx}",
            "db/**/*.test.ts",
            "server/**/*.test.ts",
            "stripe-emulator/**/*.test.ts",
            "tests/*.test.ts",
          ],
        },
      },
      {
        // The built server on a free port with its own SQLite file, spoken to over HTTP.
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          globalSetup: ["tests/build-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The same server driven by Debian's Chromium through playwright-core.
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/build-setup.ts", "tests/e2e/chromium-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
