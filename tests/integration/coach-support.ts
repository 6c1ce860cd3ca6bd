/**
 * Support for the coach-area tests (coach-auth, coach-actions): signing in as a browser with
 * JavaScript off would, making accounts with the `coach:create` command, booking free and paid
 * sessions as a client, and reading a booking page's hidden key, messages and tables as text.
 */
import type { RunningServer } from "../server-harness";
import { decodeEntities, FormClient, offeredStarts, type Page } from "./form-client";
import { kairosCommand } from "./operations-support";
import {
  bookingsOf,
  clientAtPaidReview,
  hostedPage,
  pressPay,
  type BookingRow,
  type PaymentWorld,
} from "./payment-support";

export const WRONG_LOGIN = "That email and password don’t match an account here.";

/** The owner's email and password, as the demo printed them at first start. */
export function ownerLogin(server: RunningServer): { email: string; password: string } {
  const match = server.output().match(/Coach login: (\S+) \/ (\S+)/);
  if (!match) throw new Error(`no coach login printed:\n${server.output()}`);
  return { email: match[1]!, password: match[2]! };
}

/** Posts the sign-in form from this browser (a new one unless given). */
export async function postLogin(
  server: RunningServer,
  fields: { email: string; password: string; redirectTo?: string },
  client = new FormClient(server.url),
): Promise<{ client: FormClient; page: Page }> {
  const page = await client.post("/login", {
    email: fields.email,
    password: fields.password,
    ...(fields.redirectTo === undefined ? {} : { redirectTo: fields.redirectTo }),
  });
  return { client, page };
}

/** A browser signed in with these credentials (fails the test when sign-in does not succeed). */
export async function signedIn(
  server: RunningServer,
  credentials: { email: string; password: string },
  client = new FormClient(server.url),
): Promise<FormClient> {
  const { page } = await postLogin(server, credentials, client);
  if (page.status !== 303 || page.location !== "/coach")
    throw new Error(`sign-in of ${credentials.email} failed: ${page.status}\n${text(page.html)}`);
  return client;
}

/** `node build/index.js coach:create …` against the server's database; returns what it printed. */
export async function createAccount(
  server: RunningServer,
  { email, name, owner = false }: { email: string; name: string; owner?: boolean },
): Promise<{ password: string; stdout: string }> {
  const result = await kairosCommand(
    server.databasePath,
    "coach:create",
    "--email",
    email,
    "--name",
    name,
    ...(owner ? ["--owner"] : []),
  );
  const password = result.stdout.match(/^Password: (\S+)$/m)?.[1];
  if (result.code !== 0 || !password)
    throw new Error(`coach:create failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return { password, stdout: result.stdout };
}

/** A client books the first free intro call offered with this coach; returns the booking. */
export async function bookFreeCall(
  server: RunningServer,
  { coach, email, name = "Ada Lovelace" }: { coach: string; email: string; name?: string },
): Promise<BookingRow> {
  const client = new FormClient(server.url);
  await client.post("/book/service", { service: "intro-call" });
  await client.post("/book/coach", { coach });
  const slot = offeredStarts((await client.get("/book/time")).html)[0];
  if (!slot) throw new Error(`no time offered with ${coach}`);
  await client.post("/book/time", { startAt: slot });
  await client.post("/book/details", { name, email, notes: "", timezone: "Europe/London" });
  const confirmed = await client.post("/book/review", { intent: "confirm" });
  if (confirmed.location !== "/book/confirmed")
    throw new Error(`the free booking failed: ${confirmed.status}`);
  const rows = bookingsOf(server, email);
  if (rows.length !== 1 || rows[0]!.status !== "confirmed")
    throw new Error(`expected one confirmed booking for ${email}: ${JSON.stringify(rows)}`);
  return rows[0]!;
}

/**
 * A client books a paid session and pays on the hosted page, then comes back to the return page;
 * returns the confirmed booking once Stripe's webhooks have settled.
 */
export async function paidBooking(
  world: PaymentWorld,
  email: string,
  options: { service?: string; coach?: string } = {},
): Promise<BookingRow> {
  const { client } = await clientAtPaidReview(world.server, email, options);
  const { url } = await pressPay(client);
  const paid = await hostedPage(url, "pay");
  if (!paid.path) throw new Error(`the hosted page did not send the client back: ${paid.status}`);
  await client.get(paid.path);
  await world.emulator.webhooks.idle();
  const rows = bookingsOf(world.server, email);
  if (rows.length !== 1 || rows[0]!.status !== "confirmed" || !rows[0]!.payment_intent_id)
    throw new Error(`expected one paid, confirmed booking for ${email}: ${JSON.stringify(rows)}`);
  return rows[0]!;
}

/** The one-time key of the confirmation form on this page. */
export function confirmationKey(html: string): string {
  const key = html.match(/name="key" value="([^"]+)"/)?.[1];
  if (!key) throw new Error("no confirmation form with a key on this page");
  return key;
}

/** The page as a reader sees its words: tags gone, entities decoded, spaces collapsed. */
export function text(html: string): string {
  return decodeEntities(
    html
      .replaceAll("<!-- -->", "")
      .replace(/<script[\s\S]*?<\/script>/g, " ")
      .replace(/<style[\s\S]*?<\/style>/g, " ")
      .replace(/<[^>]+>/g, " "),
  )
    .replace(/\s+/g, " ")
    .trim();
}

/** The value an input was rendered with (by its id), or undefined. */
export function inputValue(html: string, id: string): string | undefined {
  const input = html.match(new RegExp(`<input[^>]*id="${id}"[^>]*>`))?.[0];
  return input?.match(/\svalue="([^"]*)"/)?.[1];
}

/** The text of a table with this caption, row by row, cells joined by " | ". */
export function tableRows(html: string, caption: string): string[] {
  const table = [...html.matchAll(/<table[\s\S]*?<\/table>/g)]
    .map((match) => match[0])
    .find(
      (candidate) =>
        text(candidate.match(/<caption[^>]*>([\s\S]*?)<\/caption>/)?.[1] ?? "") === caption,
    );
  if (!table) return [];
  const body = table.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? "";
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => text(cell[1]!)).join(" | "),
  );
}

/** The booking page's history list, one line per event. */
export function historyLines(html: string): string[] {
  const list = html.match(/<ol class="history">([\s\S]*?)<\/ol>/)?.[1] ?? "";
  return [...list.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((item) => text(item[1]!));
}

/** The `action` of the page's POST form (where a browser would send it), entities decoded. */
export function postFormAction(html: string): string {
  const form = html.match(/<form[^>]*method="post"[^>]*>/)?.[0];
  const action = form?.match(/\saction="([^"]*)"/)?.[1];
  if (action === undefined) throw new Error("no POST form with an action on this page");
  return decodeEntities(action);
}

/**
 * A coach opens a booking's confirmation step (`?do=<action>`) and submits it with these fields,
 * as the browser would: to the form's own address, with its hidden fields. Returns both pages.
 */
export async function confirmAction(
  client: FormClient,
  bookingId: string,
  action: "cancel" | "refund" | "complete" | "no_show" | "resolve",
  fields: Record<string, string> = {},
): Promise<{ confirmation: Page; page: Page; key: string | null; target: string }> {
  const confirmation = await client.get(`/coach/bookings/${bookingId}?do=${action}`);
  if (confirmation.status !== 200)
    throw new Error(`the ${action} step did not open: ${confirmation.status}`);
  const key =
    action === "cancel" || action === "refund" ? confirmationKey(confirmation.html) : null;
  const target = postFormAction(confirmation.html);
  const page = await client.post(target, {
    intent: action,
    ...(key ? { key } : {}),
    ...fields,
  });
  return { confirmation, page, key, target };
}
