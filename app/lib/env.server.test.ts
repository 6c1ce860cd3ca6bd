import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "./env.server";

describe("parseEnv", () => {
  it("runs a fresh clone with no variables at all, in demo mode", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      NODE_ENV: "development",
      PORT: 3000,
      APP_URL: "http://localhost:3000",
      DATABASE_PATH: "./data/kairos.db",
      demoMode: true,
    });
    expect(env.SESSION_SECRET).toBeUndefined();
  });

  it("derives APP_URL from PORT and strips a trailing slash from an explicit one", () => {
    expect(parseEnv({ PORT: "8080" }).APP_URL).toBe("http://localhost:8080");
    expect(parseEnv({ APP_URL: "https://book.example.com/" }).APP_URL).toBe(
      "https://book.example.com",
    );
  });

  it("treats empty values as unset", () => {
    expect(parseEnv({ PORT: "", STRIPE_SECRET_KEY: "" })).toMatchObject({
      PORT: 3000,
      demoMode: true,
    });
  });

  it("leaves demo mode when real Stripe keys are given", () => {
    const env = parseEnv({ STRIPE_SECRET_KEY: "sk_live_abc", STRIPE_WEBHOOK_SECRET: "whsec_abc" });
    expect(env.demoMode).toBe(false);
  });

  it.each([
    [{ PORT: "abc" }, 'PORT must be a whole number from 0 to 65535 (got "abc")'],
    [{ PORT: "-1" }, 'PORT must be a whole number from 0 to 65535 (got "-1")'],
    [{ PORT: "65536" }, 'PORT must be a whole number from 0 to 65535 (got "65536")'],
    [{ NODE_ENV: "staging" }, "NODE_ENV"],
    [{ APP_URL: "ftp://example.com" }, "APP_URL must be an http:// or https:// URL"],
    [{ SMTP_URL: "localhost:25" }, "SMTP_URL must be an smtp:// or smtps:// URL"],
    [{ SESSION_SECRET: "short" }, "SESSION_SECRET must be at least 32 characters"],
    [
      { HOUSEKEEPING_INTERVAL_SECONDS: "0" },
      "HOUSEKEEPING_INTERVAL_SECONDS must be between 1 and 3600",
    ],
    [{ STRIPE_API_BASE: "http://127.0.0.1:12111" }, "STRIPE_API_BASE needs STRIPE_SECRET_KEY"],
    [
      { STRIPE_SECRET_KEY: "sk_test_1" },
      "STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set",
    ],
    [
      { STRIPE_WEBHOOK_SECRET: "nope" },
      "STRIPE_WEBHOOK_SECRET must be a Stripe webhook signing secret",
    ],
    [
      { NODE_ENV: "production", APP_URL: "https://x.example" },
      "SESSION_SECRET is required when NODE_ENV=production",
    ],
    [
      { NODE_ENV: "production", SESSION_SECRET: "x".repeat(32) },
      "APP_URL is required when NODE_ENV=production",
    ],
  ])("rejects %o with a message naming the variable", (source, message) => {
    expect(() => parseEnv(source)).toThrow(ConfigError);
    expect(() => parseEnv(source)).toThrow(message);
  });

  it("never echoes a secret's value", () => {
    expect(() => parseEnv({ STRIPE_SECRET_KEY: "pk_live_leakme" })).toThrow(
      /^STRIPE_SECRET_KEY must be a Stripe secret key[^"]*$/,
    );
  });
});
