/**
 * Reconciliation over HTTP and from the shell, against the built server paying through an
 * emulator in this process. A client pays while the webhook is lost and never comes back to the
 * return page: the owner finds that payment on /coach/payments, presses its Repair button as a
 * browser with JavaScript off would, and the page then says Stripe and the bookings agree; the
 * `reconcile` command says the same with its exit code (1, then 0). The page is the owner's only,
 * signed-out visitors are sent to sign in, dates that are not dates are answered 400, and a Stripe
 * that cannot be reached is said to be so (502) rather than taken for agreement.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeEntities, errorText, FormClient } from "./form-client";
import {
  bookingsOf,
  clientAtPaidReview,
  eventsOf,
  hostedPage,
  outboxOf,
  pressPay,
  startPaymentWorld,
  type PaymentWorld,
} from "./payment-support";

const serverEntry = fileURLToPath(new URL("../../build/index.js", import.meta.url));
const AGREE = "Stripe and the bookings agree for this period.";

let world: PaymentWorld;
let owner: FormClient;

beforeAll(async () => {
  world = await startPaymentWorld();
  const [, email, password] = world.server.output().match(/Coach login: (\S+) \/ (\S+)/) ?? [];
  if (!email || !password) throw new Error(`no coach login printed:\n${world.server.output()}`);
  owner = await signIn(email, password);
});
afterAll(() => world?.stop());

type CommandResult = { code: number | null; stdout: string; stderr: string };

/**
 * `node build/index.js <args…>` with the server's database and, unless told otherwise, its Stripe
 * settings. Asynchronous: the emulator it asks lives in this very process.
 */
function kairos(args: string[], { stripe = true } = {}): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: "test",
    DATABASE_PATH: world.server.databasePath,
    ...(stripe
      ? {
          STRIPE_SECRET_KEY: "sk_test_kairos_tests",
          STRIPE_WEBHOOK_SECRET: world.emulator.webhookSecret,
          STRIPE_API_BASE: world.emulator.url,
        }
      : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverEntry, ...args], { env, stdio: "pipe" });
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

/** A browser signed in with these credentials. */
async function signIn(email: string, password: string): Promise<FormClient> {
  const client = new FormClient(world.server.url);
  const page = await client.post("/login", { email, password, redirectTo: "/coach/payments" });
  if (page.status !== 303 || page.location !== "/coach/payments")
    throw new Error(`sign-in of ${email} failed: ${page.status}`);
  return client;
}

/** The page as a reader sees its words: tags gone, entities decoded, spaces collapsed. */
const text = (html: string) =>
  decodeEntities(
    html
      .replaceAll("<!-- -->", "")
      .replace(/<(script|style)[\s\S]*?<\/\1>/g, " ")
      .replace(/<[^>]+>/g, " "),
  )
    .replace(/\s+/g, " ")
    .trim();

const attribute = (tag: string, name: string) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];

/**
 * What pressing the submit button with this value sends: its form's action, hidden fields and the
 * button's own name and value, as a browser builds them.
 */
function pressButton(
  html: string,
  value: string,
): { action: string; fields: Record<string, string> } {
  const form = [...html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)].find((match) =>
    new RegExp(`<button[^>]*value="${value}"`).test(match[2]!),
  );
  if (!form) throw new Error(`no form with a button valued ${value}`);
  const fields: Record<string, string> = {};
  for (const [tag] of form[2]!.matchAll(/<(input|button)[^>]*>/g)) {
    const name = attribute(tag, "name");
    const isButton = tag.startsWith("<button");
    if (!name || (isButton && attribute(tag, "value") !== value)) continue;
    fields[name] = decodeEntities(attribute(tag, "value") ?? "");
  }
  return { action: decodeEntities(attribute(form[1]!, "action") ?? ""), fields };
}

/** The value an input was rendered with (by its id). */
const inputValue = (html: string, id: string) =>
  html.match(new RegExp(`<input[^>]*id="${id}"[^>]*>`))?.[0].match(/\svalue="([^"]*)"/)?.[1];

describe("a payment whose webhook was lost", () => {
  it("is found on the page and by the command, repaired with one press, and then all agrees", async () => {
    const email = "lost-webhook@example.com";
    const { client } = await clientAtPaidReview(world.server, email);
    const { sessionId, url } = await pressPay(client);
    world.emulator.webhooks.dropNext(1);
    expect((await hostedPage(url, "pay")).status).toBe(303);
    await world.emulator.webhooks.idle();
    // The client closes the tab instead of coming back to the return page.
    const [held] = bookingsOf(world.server, email);
    expect(held).toMatchObject({ status: "held", checkout_session_id: sessionId });

    const report = await owner.get("/coach/payments");

    expect(report.status).toBe(200);
    const words = text(report.html);
    expect(words).toContain("Paid in Stripe, not confirmed here (1)");
    expect(words).toContain(
      `£45 was paid through Checkout Session ${sessionId}, but booking ${held!.id} is held.`,
    );
    expect(words).not.toContain(AGREE);
    expect(report.html).toContain(`href="/coach/bookings/${held!.id}"`);

    const before = await kairos(["reconcile"]);
    expect(before).toMatchObject({ code: 1, stderr: "" });
    expect(before.stdout).toContain("Paid in Stripe, not confirmed here (1)");
    expect(before.stdout).toContain(sessionId);

    const { action, fields } = pressButton(report.html, sessionId);
    const from = inputValue(report.html, "from")!;
    const to = inputValue(report.html, "to")!;
    expect(from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(fields).toEqual({ kind: "paid_without_booking", id: sessionId, from, to });
    const repaired = await owner.post(action, fields);

    expect(repaired.status).toBe(303);
    expect(repaired.location).toBe(
      `/coach/payments?from=${from}&to=${to}&repaired=confirmed&booking=${held!.id}`,
    );
    const [confirmed] = bookingsOf(world.server, email);
    expect(confirmed).toMatchObject({ status: "confirmed", checkout_session_id: sessionId });
    expect(confirmed!.payment_intent_id).toMatch(/^pi_/);
    expect(eventsOf(world.server, held!.id).at(-1)).toMatchObject({
      from_status: "held",
      to_status: "confirmed",
      actor: "coach",
    });
    expect(outboxOf(world.server, held!.id)).toEqual([
      `booking_confirmed to ${email}`,
      "coach_new_booking to daniel@example.com",
    ]);

    const after = await owner.get(repaired.location!);
    expect(after.status).toBe(200);
    expect(text(after.html)).toContain(
      "The booking is confirmed, and the client and coach have been emailed.",
    );
    expect(text(after.html)).toContain(AGREE);
    expect(inputValue(after.html, "from")).toBe(from);

    const afterwards = await kairos(["reconcile", "--from", from, "--to", to]);
    expect(afterwards.code).toBe(0);
    expect(afterwards.stdout).toContain(AGREE);
  });
});

describe("who may see it", () => {
  it("a coach who is not the owner is refused, reading and repairing", async () => {
    const created = await kairos(
      ["coach:create", "--email", "pat@example.com", "--name", "Pat Coach"],
      { stripe: false },
    );
    const password = created.stdout.match(/^Password: (\S+)$/m)?.[1];
    expect(created.code).toBe(0);
    const coach = await signIn("pat@example.com", password!);

    const page = await coach.get("/coach/payments");
    const post = await coach.post("/coach/payments", {
      kind: "paid_without_booking",
      id: "cs_test_anything",
    });

    expect(page.status).toBe(403);
    expect(text(page.html)).toMatch(/Only the practice’s owner can see this/);
    expect(post.status).toBe(403);
  });

  it("a signed-out visitor is sent to sign in, and back here afterwards", async () => {
    const visitor = new FormClient(world.server.url);

    const page = await visitor.get("/coach/payments");
    const post = await visitor.post("/coach/payments", {
      kind: "paid_without_booking",
      id: "cs_test_anything",
    });

    expect(page.status).toBe(303);
    expect(page.location).toBe("/login?redirectTo=%2Fcoach%2Fpayments");
    expect(post.status).toBe(303);
    expect(post.location).toBe("/login?redirectTo=%2Fcoach%2Fpayments");
  });
});

describe("dates", () => {
  it("that are not dates, or run backwards, are answered 400 with the message by the field and the values kept", async () => {
    const badDay = await owner.get("/coach/payments?from=2026-13-01&to=2026-10-01");
    const backwards = await owner.get("/coach/payments?from=2026-10-10&to=2026-10-01");

    expect(badDay.status).toBe(400);
    expect(errorText(badDay.html, "from-error")).toBe("That date does not exist.");
    expect(inputValue(badDay.html, "from")).toBe("2026-13-01");
    expect(inputValue(badDay.html, "to")).toBe("2026-10-01");
    expect(badDay.html).toMatch(/<input[^>]*id="from"[^>]*aria-invalid="true"/);
    expect(backwards.status).toBe(400);
    expect(errorText(backwards.html, "to-error")).toBe(
      "The end date must not be before the start date.",
    );
    expect(text(backwards.html)).not.toContain(AGREE);
  });

  it("the command refuses them too, and says in one line when it has no Stripe to ask", async () => {
    const backwards = await kairos(["reconcile", "--from", "2026-10-10", "--to", "2026-10-01"]);
    const demo = await kairos(["reconcile"], { stripe: false });

    expect(backwards).toMatchObject({ code: 2, stdout: "" });
    expect(backwards.stderr).toMatch(
      /^kairos reconcile: --to: The end date must not be before the start date\. \(usage: .*\)\n$/,
    );
    expect(demo).toMatchObject({ code: 2, stdout: "" });
    expect(demo.stderr).toMatch(/^kairos reconcile: .*needs STRIPE_SECRET_KEY.*\n$/);
  });
});

describe("a repair form", () => {
  it("that names no finding is answered 400, with the page still there", async () => {
    const forged = await owner.post("/coach/payments", { kind: "refund_everything", id: "re_1" });
    const idless = await owner.post("/coach/payments", { kind: "paid_without_booking" });

    for (const page of [forged, idless]) {
      expect(page.status).toBe(400);
      expect(text(page.html)).toContain("That is not a finding this page can repair.");
      expect(text(page.html)).toContain("Payments");
    }
  });
});

describe("when Stripe cannot be reached", () => {
  it("the page says so with a 502, and a repair changes nothing", async () => {
    world.emulator.failNextApiRequests(1_000, 503);
    try {
      const page = await owner.get("/coach/payments");
      const repaired = await owner.post("/coach/payments", {
        kind: "refund_not_recorded",
        id: "re_anything",
      });

      expect(page.status).toBe(502);
      expect(text(page.html)).toContain(
        "Stripe could not be reached, so nothing could be compared.",
      );
      expect(text(page.html)).not.toContain(AGREE);
      expect(repaired.status).toBe(502);
      expect(text(repaired.html)).toContain("Stripe could not be asked, so nothing has changed");
    } finally {
      world.emulator.failNextApiRequests(0);
    }
  });
});
