import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { signPayload, startStripeEmulator } from "../../stripe-emulator/index";
import { startServer } from "../server-harness";

describe("demo mode", () => {
  it("starts a Stripe emulator in the same process, signing with STRIPE_WEBHOOK_SECRET when given", async () => {
    const server = await startServer({ env: { STRIPE_WEBHOOK_SECRET: "whsec_demo_fixed" } });
    try {
      const url = server
        .output()
        .match(/Stripe emulator for test payments: API on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
      expect(url).toBeDefined();
      expect(server.output()).toContain("(webhook signing secret whsec_demo_fixed)");
      // An outside tool can sign events the app accepts.
      const payload = JSON.stringify({
        id: "evt_outside_1",
        type: "customer.created",
        data: { object: {} },
      });
      const signed = await fetch(`${server.url}/webhooks/stripe`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Stripe-Signature": signPayload(payload, "whsec_demo_fixed"),
        },
        body: payload,
      });
      expect(signed.status).toBe(200);
      const emulator = await fetch(`${url}/`);
      expect(await emulator.json()).toMatchObject({ emulator: "stripe" });
      const unauthenticated = await fetch(`${url}/v1/checkout/sessions/cs_test_x`);
      expect(unauthenticated.status).toBe(401);
    } finally {
      await server.stop();
    }
  });
});

describe("with Stripe keys", () => {
  it("never starts the emulator, and says test keys move no real money", async () => {
    const external = await startStripeEmulator();
    const server = await startServer({
      env: {
        STRIPE_SECRET_KEY: "sk_test_external",
        STRIPE_WEBHOOK_SECRET: external.webhookSecret,
        STRIPE_API_BASE: external.url,
      },
    });
    try {
      expect(server.output()).not.toContain("Stripe emulator");
      expect(server.output()).toContain("Stripe test mode: no real money");
      const html = await (await fetch(`${server.url}/`)).text();
      expect(html).toContain("Test payments:");
    } finally {
      await server.stop();
      await external.stop();
    }
  });

  it("drops the test-payments banner with a live key", async () => {
    const server = await startServer({
      env: { STRIPE_SECRET_KEY: "sk_live_realmoney", STRIPE_WEBHOOK_SECRET: "whsec_live" },
    });
    try {
      expect(server.output()).toContain("live payments through Stripe");
      const html = await (await fetch(`${server.url}/`)).text();
      expect(html).not.toContain("Test payments:");
    } finally {
      await server.stop();
    }
  });
});

describe("npm run stripe:emulator", () => {
  it("runs the emulator on its own and prints its base URL", async () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", "stripe-emulator/cli.ts"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        STRIPE_EMULATOR_PORT: "0",
        STRIPE_WEBHOOK_SECRET: "whsec_fromenv",
      },
      stdio: "pipe",
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    try {
      // The banner is several writes to a pipe: they can arrive in separate chunks, so wait for the
      // last line asserted below, not only the first.
      const deadline = Date.now() + 20_000;
      while (
        !/listening on (http:\S+)[\s\S]*signing secret: \S+\n/.test(output) &&
        Date.now() < deadline &&
        child.exitCode === null
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const url = output.match(/listening on (http:\S+)/)?.[1];
      expect(url, output).toBeDefined();
      expect(output).toContain("signing secret: whsec_fromenv");
      expect((await fetch(`${url}/`)).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
