/**
 * The "My bookings" cookie: after a client uses their emailed link, it holds the address the link
 * was sent to (signed, HttpOnly) for an hour, so the list and its "Manage" buttons work without a
 * new link each time. It opens nothing else.
 */
import { createCookie } from "@remix-run/node";
import { getEnv } from "~/lib/env.server";
import { getSessionSecret } from "~/lib/session-secret.server";

let cookie: ReturnType<typeof createCookie> | undefined;

function myBookingsCookie() {
  const env = getEnv();
  cookie ??= createCookie("kairos_my_bookings", {
    httpOnly: true,
    sameSite: "lax",
    secure: env.APP_URL.startsWith("https://"),
    // "/", not "/my-bookings": with JavaScript on, Remix fetches the page's data from
    // /my-bookings.data, which a "/my-bookings" path does not cover.
    path: "/",
    maxAge: 60 * 60,
    secrets: [getSessionSecret(env)],
  });
  return cookie;
}

export async function readClientEmail(request: Request): Promise<string | null> {
  const value: unknown = await myBookingsCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.includes("@") ? value : null;
}

export function clientEmailCookie(email: string): Promise<string> {
  return myBookingsCookie().serialize(email);
}

export function forgetClientEmailCookie(): Promise<string> {
  return myBookingsCookie().serialize("", { maxAge: 0 });
}
