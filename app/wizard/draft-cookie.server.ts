/**
 * The draft cookie: holds only the draft's id, signed, `HttpOnly` and `SameSite=Lax` (so it comes
 * back from Stripe's redirect), `Secure` whenever the public address is https.
 */
import { createCookie } from "@remix-run/node";
import { getEnv } from "~/lib/env.server";
import { getSessionSecret } from "~/lib/session-secret.server";
import { DRAFT_LIFETIME_MS } from "./drafts.server";

let cookie: ReturnType<typeof createCookie> | undefined;

function draftCookie() {
  const env = getEnv();
  cookie ??= createCookie("kairos_draft", {
    httpOnly: true,
    sameSite: "lax",
    secure: env.APP_URL.startsWith("https://"),
    path: "/",
    maxAge: DRAFT_LIFETIME_MS / 1000,
    secrets: [getSessionSecret(env)],
  });
  return cookie;
}

export async function readDraftId(request: Request): Promise<string | null> {
  const value: unknown = await draftCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && /^[\w-]{32}$/.test(value) ? value : null;
}

export function draftCookieHeader(draftId: string): Promise<string> {
  return draftCookie().serialize(draftId);
}
