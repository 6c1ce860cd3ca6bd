/**
 * The coach area's guard, for every loader and every action under /coach: a request without a
 * live session is sent to sign in (and back afterwards, to a path on this site only); a coach
 * asking for what only the owner may see gets a 403.
 */
import { redirect } from "@remix-run/node";
import type { User } from "~/auth/accounts.server";
import { currentUser } from "~/auth/sessions.server";
import { getDb } from "~db/database.server";

/**
 * A path on this site to go to after signing in, or the fallback: never another site (`//evil`,
 * `/\\evil`, `https://evil`), never a header injection.
 */
export function safeRedirect(
  to: FormDataEntryValue | string | null | undefined,
  fallback = "/coach",
) {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\"))
    return fallback;
  if (/[\s\\]/.test(to)) return fallback;
  return to;
}

export async function requireUser(request: Request): Promise<User> {
  const user = await currentUser(getDb(), request, new Date());
  if (user) return user;
  const url = new URL(request.url);
  const back = url.pathname.replace(/\.data$/, "") + url.search;
  throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`, 303);
}

export async function requireOwner(request: Request): Promise<User> {
  const user = await requireUser(request);
  if (user.role !== "owner") throw forbidden("Only the practice’s owner can see this page.");
  return user;
}

export function forbidden(message = "Your account does not give you access to this page.") {
  return new Response(message, { status: 403 });
}

export function notFound() {
  return new Response("Not found", { status: 404 });
}
