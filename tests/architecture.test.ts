/**
 * The architecture, held against the code (docs/architecture.md):
 * - no import points back up the layers;
 * - the lint rules that give each table's state one owner, and keep the domain free of Remix's
 *   response helpers, really fire (a rule that matches nothing would pass silently).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Lower layers first: a module may import its own folder and the folders below it, never above. */
const LAYERS = [
  "lib",
  "auth",
  "email",
  "catalogue",
  "availability",
  "booking",
  "wizard",
  "payments",
  "coach",
  "jobs",
  "http",
  "components",
  "routes",
  "root.tsx",
  "entry.server.tsx",
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const layerOf = (appPath: string) => appPath.split("/")[0]!;

describe("layers", () => {
  const files = sourceFiles(join(root, "app")).map((path) => relative(join(root, "app"), path));

  it("every file under app/ is in a known layer", () => {
    expect(files.filter((file) => !LAYERS.includes(layerOf(file)))).toEqual([]);
  });

  it("no import points back up", () => {
    const upward: string[] = [];
    for (const file of files) {
      const source = readFileSync(join(root, "app", file), "utf8");
      for (const [, target] of source.matchAll(/from "~\/([^"]+)"/g)) {
        const own = LAYERS.indexOf(layerOf(file));
        const imported = LAYERS.indexOf(layerOf(target!));
        if (layerOf(target!) !== layerOf(file) && imported > own)
          upward.push(`${file} → ~/${target}`);
      }
    }
    expect(upward).toEqual([]);
  });
});

describe("lint rules that enforce ownership", () => {
  const eslint = new ESLint({ cwd: root });
  /** The rules the snippet breaks, as if it were the file at `filePath`. */
  const problems = async (code: string, filePath: string) => {
    const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
    return result!.messages.map((message) => message.ruleId);
  };

  const writes = {
    drizzleInsert: `import { bookings } from "~db/schema";\nexport const f = (db) => db.insert(bookings).values({}).run();\n`,
    drizzleUpdate: `import * as schema from "~db/schema";\nexport const f = (db) => db.update(schema.bookings).set({ status: "confirmed" }).run();\n`,
    rawSql: `export const f = (db) => db.$client.exec("UPDATE bookings SET status = 'confirmed'");\n`,
    draftStatus: `import { bookingDrafts } from "~db/schema";\nexport const f = (db) => db.update(bookingDrafts).set({ status: "completed" }).run();\n`,
  };

  it("refuses a write to bookings anywhere but the lifecycle", async () => {
    for (const code of [writes.drizzleInsert, writes.drizzleUpdate, writes.rawSql])
      expect(await problems(code, "app/payments/anything.server.ts")).toContain(
        "no-restricted-syntax",
      );
    expect(await problems(writes.drizzleUpdate, "app/booking/lifecycle.server.ts")).not.toContain(
      "no-restricted-syntax",
    );
  });

  it("refuses a write to booking_drafts anywhere but the drafts module", async () => {
    expect(await problems(writes.draftStatus, "app/payments/fulfil.server.ts")).toContain(
      "no-restricted-syntax",
    );
    expect(await problems(writes.draftStatus, "app/booking/lifecycle.server.ts")).toContain(
      "no-restricted-syntax",
    );
    expect(await problems(writes.draftStatus, "app/wizard/drafts.server.ts")).not.toContain(
      "no-restricted-syntax",
    );
  });

  it("keeps Remix's response helpers out of the domain folders", async () => {
    const code = `import { redirect } from "@remix-run/node";\nexport const f = () => redirect("/");\n`;
    expect(await problems(code, "app/wizard/steps.server.ts")).toContain("no-restricted-imports");
    expect(await problems(code, "app/http/wizard.server.ts")).not.toContain(
      "no-restricted-imports",
    );
    const cookie = `import { createCookie } from "@remix-run/node";\nexport const c = createCookie("x");\n`;
    expect(await problems(cookie, "app/wizard/draft-cookie.server.ts")).not.toContain(
      "no-restricted-imports",
    );
  });
});
