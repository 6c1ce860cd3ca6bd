/**
 * Coach sign-in sessions, kept in the database so that signing out (here, or everywhere) really
 * ends them. The browser holds a random token in an `HttpOnly`, `SameSite=Lax` cookie (`Secure` on
 * https); the database holds only its SHA-256. A session ends after a spell of inactivity, and in
 * any case some weeks after sign-in.
 */
import { createHash, randomBytes } from "node:crypto";
import { createCookie } from "@remix-run/node";
import { and, eq, gt, lt } from "drizzle-orm";
import { getEnv } from "~/lib/env.server";
import { getSessionSecret } from "~/lib/session-secret.server";
import type { DbOrTx } from "~db/database.server";
import { sessions } from "~db/schema";
import { findUser, type User } from "./accounts.server";

/** Signed out after this long without a request. */
export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
/** Signed out this long after signing in, however active. */
export const SESSION_MAX_MS = 30 * 24 * 60 * 60 * 1000;
/** Sliding the expiry is a write: at most once a minute per session. */
const SLIDE_EVERY_MS = 60 * 1000;

let cookie: ReturnType<typeof createCookie> | undefined;

function sessionCookie() {
  const env = getEnv();
  cookie ??= createCookie("kairos_session", {
    httpOnly: true,
    sameSite: "lax",
    secure: env.APP_URL.startsWith("https://"),
    path: "/",
    maxAge: SESSION_MAX_MS / 1000,
    secrets: [getSessionSecret(env)],
  });
  return cookie;
}

const hash = (token: string) => createHash("sha256").update(token).digest("hex");

/** Starts a session for the user; returns the Set-Cookie header that hands it to the browser. */
export async function startSession(
  db: DbOrTx,
  userId: number,
  { now, userAgent }: { now: Date; userAgent: string | null },
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  db.insert(sessions)
    .values({
      id: hash(token),
      userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + SESSION_IDLE_MS),
      userAgent: userAgent?.slice(0, 200) ?? null,
    })
    .run();
  return sessionCookie().serialize(token);
}

async function tokenOf(request: Request): Promise<string | null> {
  const value: unknown = await sessionCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && /^[\w-]{43}$/.test(value) ? value : null;
}

/** The signed-in user of this request, or null; a live session's expiry slides forward. */
export async function currentUser(db: DbOrTx, request: Request, now: Date): Promise<User | null> {
  const token = await tokenOf(request);
  if (!token) return null;
  const session = db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, hash(token)), gt(sessions.expiresAt, now)))
    .get();
  if (!session || now.getTime() - session.createdAt.getTime() > SESSION_MAX_MS) return null;
  const slid = now.getTime() + SESSION_IDLE_MS;
  if (slid - session.expiresAt.getTime() > SLIDE_EVERY_MS) {
    db.update(sessions)
      .set({ expiresAt: new Date(slid) })
      .where(eq(sessions.id, session.id))
      .run();
  }
  return findUser(db, session.userId);
}

/** Ends this browser's session; returns the Set-Cookie header that clears it. */
export async function endSession(db: DbOrTx, request: Request): Promise<string> {
  const token = await tokenOf(request);
  if (token)
    db.delete(sessions)
      .where(eq(sessions.id, hash(token)))
      .run();
  return sessionCookie().serialize("", { maxAge: 0 });
}

/** Ends every session of the user, on every device. */
export function endAllSessions(db: DbOrTx, userId: number): number {
  return db.delete(sessions).where(eq(sessions.userId, userId)).run().changes;
}

/** Deletes sessions that have ended; for the housekeeping job. */
export function sweepEndedSessions(db: DbOrTx, now: Date): number {
  return db.delete(sessions).where(lt(sessions.expiresAt, now)).run().changes;
}
