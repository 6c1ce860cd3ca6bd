/**
 * Signing in, through remix-auth's FormStrategy: the form's email and password are checked
 * against the accounts, with the throttle in front. Every failure says the same thing, so the
 * answer never tells whether an account exists.
 */
import { Authenticator } from "remix-auth";
import { FormStrategy } from "remix-auth-form";
import * as z from "zod";
import type { Db } from "~db/database.server";
import { verifyLogin, type User } from "./accounts.server";
import { forgiveFailures, recordFailure, waitBeforeTrying } from "./throttle.server";

export const signInSchema = z.object({
  email: z
    .string({ error: "Enter your email address." })
    .trim()
    .min(1, "Enter your email address.")
    .max(254),
  password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(200),
  redirectTo: z.string().max(2000).optional(),
});

export type SignInFailure =
  | { kind: "invalid"; fieldErrors: Record<string, string[]> }
  | { kind: "wrong"; message: string }
  | { kind: "throttled"; message: string; retryAfterSeconds: number };

export class SignInError extends Error {
  constructor(readonly failure: SignInFailure) {
    super(failure.kind);
  }
}

const WRONG = "That email and password don’t match an account here.";

/**
 * The user the request's form signs in, or a SignInError saying why not. `address` is the
 * client's, for the throttle.
 */
export async function signIn(
  db: Db,
  request: Request,
  { address, now }: { address: string; now: Date },
): Promise<User> {
  const authenticator = new Authenticator<User>();
  authenticator.use(
    new FormStrategy(async ({ form }) => {
      const parsed = signInSchema.safeParse(Object.fromEntries(form));
      if (!parsed.success) {
        throw new SignInError({
          kind: "invalid",
          fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]>,
        });
      }
      const attempt = { email: parsed.data.email, address };
      const wait = waitBeforeTrying(db, attempt, now);
      if (wait > 0) {
        const minutes = Math.ceil(wait / 60_000);
        throw new SignInError({
          kind: "throttled",
          message: `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
          retryAfterSeconds: Math.ceil(wait / 1000),
        });
      }
      // Counted before the (slow) password check, so that guesses sent all at once are counted
      // too; a right password forgives it below.
      recordFailure(db, attempt, now);
      const user = await verifyLogin(db, parsed.data.email, parsed.data.password);
      if (!user) throw new SignInError({ kind: "wrong", message: WRONG });
      forgiveFailures(db, parsed.data.email);
      return user;
    }),
    "form",
  );
  return authenticator.authenticate("form", request);
}
