/**
 * Every environment variable Kairos reads, validated once at start. `.env.example` documents the
 * same list; keep the two in step.
 */
import { z } from "zod";

const port = z
  .string()
  .regex(/^\d+$/, "must be a whole number from 0 to 65535")
  .transform(Number)
  .refine((n) => n <= 65535, "must be a whole number from 0 to 65535");

const httpUrl = z
  .url({ protocol: /^https?$/, message: "must be an http:// or https:// URL" })
  .transform((url) => url.replace(/\/+$/, ""));

export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    HOST: z.string().min(1).optional(),
    PORT: port.default(3000),
    APP_URL: httpUrl.optional(),
    DATABASE_PATH: z.string().min(1, "must not be empty").default("./data/kairos.db"),
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(
        /^(sk|rk)_(test|live)_\w+$/,
        "must be a Stripe secret key (sk_test_... or sk_live_...)",
      )
      .optional(),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_\w+$/, "must be a Stripe webhook signing secret (whsec_...)")
      .optional(),
    /** Points the Stripe SDK at a Stripe-compatible server (the emulator) instead of api.stripe.com. */
    STRIPE_API_BASE: httpUrl.optional(),
    /** Port of the in-process emulator in demo mode; 0 (the default) picks a free one. */
    STRIPE_EMULATOR_PORT: port.optional(),
    /** How often the in-process sweeper settles lapsed holds and removes stale drafts. */
    HOUSEKEEPING_INTERVAL_SECONDS: z
      .string()
      .regex(/^\d+$/, "must be a whole number of seconds")
      .transform(Number)
      .refine((n) => n >= 1 && n <= 3600, "must be between 1 and 3600 seconds")
      .default(60),
    /**
     * Which proxies in front of Kairos to believe about the client's address and the public host
     * (X-Forwarded-For, -Host, -Proto): Express's `trust proxy` ("loopback", a hop count, addresses
     * or subnets). Unset: none, and those headers are ignored.
     */
    TRUST_PROXY: z
      .string()
      .regex(
        /^(true|false|\d+|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/,
        'must be "loopback", a number of hops, or addresses and subnets separated by commas',
      )
      .optional(),
    LOG_FORMAT: z.enum(["json", "pretty"], { message: "must be json or pretty" }).optional(),
    LOG_LEVEL: z
      .enum(["trace", "debug", "info", "warn", "error", "fatal"], {
        message: "must be one of trace, debug, info, warn, error, fatal",
      })
      .default("info"),
    /**
     * Runs the demo practice (sample coaches and services, test payments through the built-in
     * emulator) even in production: on purpose, never by forgetting the Stripe keys.
     */
    KAIROS_DEMO: z.enum(["0", "1"], { message: "must be 1 (run the demo) or 0" }).optional(),
    SMTP_URL: z
      .url({ protocol: /^smtps?$/, message: "must be an smtp:// or smtps:// URL" })
      .optional(),
    EMAIL_FROM: z.string().min(3).default("Kairos <bookings@localhost>"),
    /** How often queued emails are looked at and the due ones sent. */
    EMAIL_SEND_INTERVAL_SECONDS: z
      .string()
      .regex(/^\d+$/, "must be a whole number of seconds")
      .transform(Number)
      .refine((n) => n >= 1 && n <= 600, "must be between 1 and 600 seconds")
      .default(5),
    /** The waits between attempts at an email SMTP refused; after the last, it is dead. */
    EMAIL_RETRY_SECONDS: z
      .string()
      .regex(/^\d+(\s*,\s*\d+)*$/, "must be whole numbers of seconds separated by commas")
      .transform((list) => list.split(",").map((seconds) => Number(seconds) * 1000))
      .default([60_000, 300_000, 900_000, 3_600_000, 14_400_000]),
  })
  .superRefine((env, ctx) => {
    if (env.STRIPE_SECRET_KEY && !env.STRIPE_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["STRIPE_WEBHOOK_SECRET"],
        message: "is required when STRIPE_SECRET_KEY is set (the webhook signing secret)",
      });
    }
    if (env.STRIPE_API_BASE && !env.STRIPE_SECRET_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["STRIPE_API_BASE"],
        message:
          "needs STRIPE_SECRET_KEY (an sk_test_ key for the emulator) and STRIPE_WEBHOOK_SECRET",
      });
    }
    if (env.NODE_ENV === "production" && !env.SESSION_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["SESSION_SECRET"],
        message:
          "is required when NODE_ENV=production (32+ random characters: openssl rand -hex 32)",
      });
    }
    if (env.NODE_ENV === "production" && !env.APP_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["APP_URL"],
        message:
          "is required when NODE_ENV=production (the public address, e.g. https://book.example.com)",
      });
    }
    if (env.NODE_ENV === "production" && !env.STRIPE_SECRET_KEY && env.KAIROS_DEMO !== "1") {
      ctx.addIssue({
        code: "custom",
        path: ["STRIPE_SECRET_KEY"],
        message:
          "is required when NODE_ENV=production, with STRIPE_WEBHOOK_SECRET (or set KAIROS_DEMO=1 to run the demo practice on purpose)",
      });
    }
    if (env.STRIPE_SECRET_KEY && env.KAIROS_DEMO === "1") {
      ctx.addIssue({
        code: "custom",
        path: ["KAIROS_DEMO"],
        message:
          "runs the demo with its own test payments: unset STRIPE_SECRET_KEY, or unset KAIROS_DEMO",
      });
    }
  })
  .transform((env) => ({
    ...env,
    APP_URL: env.APP_URL ?? `http://localhost:${env.PORT}`,
    /**
     * Without Stripe keys Kairos runs the demo practice and takes test payments through the
     * emulator it starts itself (production refuses to start that way unless KAIROS_DEMO=1).
     */
    demoMode: !env.STRIPE_SECRET_KEY,
    /** No real money moves: demo mode, or a Stripe test key. Every page says so. */
    testPayments: !env.STRIPE_SECRET_KEY || /^(sk|rk)_test_/.test(env.STRIPE_SECRET_KEY),
    /** Express's `trust proxy` value: a hop count, a boolean, or a list of addresses. */
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    /** The Stripe account to use, or null in demo mode. */
    stripe: env.STRIPE_SECRET_KEY
      ? {
          secretKey: env.STRIPE_SECRET_KEY,
          // Present whenever the secret key is: checked above.
          webhookSecret: env.STRIPE_WEBHOOK_SECRET!,
          apiBase: env.STRIPE_API_BASE,
        }
      : null,
  }));

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(",").map((part) => part.trim());
}

export type Env = z.infer<typeof envSchema>;

/** A start-up failure that is the operator's to fix: printed as one line, never a stack. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment, or throws a ConfigError naming the first bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty value (`PORT=` in a .env file) means "not set", as in most tools.
  const present = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = envSchema.safeParse(present);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? "environment");
  const value = present[name];
  const shown = value === undefined || /SECRET|KEY/.test(name) ? "" : ` (got "${value}")`;
  throw new ConfigError(`${name} ${issue.message}${shown}`);
}

let cached: Env | undefined;

/** The validated environment of this process. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
