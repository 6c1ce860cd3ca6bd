/**
 * The address links sent to a browser (Stripe's return and cancel URLs, links in emails) start
 * with. In production it is APP_URL, the one public address. In demo mode it is the address this
 * browser used, whatever it was (`localhost`, `127.0.0.1`, a server's IP): a demo is tried from
 * anywhere, and a link to another host would lose the booking's cookie.
 */
import { getEnv } from "~/lib/env.server";

export function publicUrl(request: Request): string {
  const env = getEnv();
  return env.demoMode ? new URL(request.url).origin : env.APP_URL;
}
