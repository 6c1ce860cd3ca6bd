/**
 * Coach sign-in over HTTP against the built server, as a browser with JavaScript off: the session
 * cookie and what the database keeps of it, the same answer for an unknown email and a wrong
 * password, throttling per account and per address (the server trusts the test clients'
 * X-Forwarded-For), signing out here and everywhere, expiry, the guard on every coach page and
 * action, redirects that stay on this site, cross-site posts, `coach:create`, and who sees which
 * booking.
 */
import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../server-harness";
import {
  bookFreeCall,
  confirmationKey,
  createAccount,
  ownerLogin,
  postLogin,
  signedIn,
  text,
  WRONG_LOGIN,
} from "./coach-support";
import { errorText, FormClient } from "./form-client";
import { draftIdInCookie } from "./operations-support";
import { eventsOf, readDb, writeDb, type BookingRow } from "./payment-support";

let server: RunningServer;
let owner: { email: string; password: string };
let daniel: { email: string; password: string };
let mayaBooking: BookingRow;
let danielBooking: BookingRow;

beforeAll(async () => {
  server = await startServer({ env: { TRUST_PROXY: "loopback" } });
  owner = ownerLogin(server);
  const [account, maya, dan] = await Promise.all([
    createAccount(server, { email: "daniel@example.com", name: "Daniel Reyes" }),
    bookFreeCall(server, {
      coach: "maya-okafor",
      email: "grace@example.com",
      name: "Grace Hopper",
    }),
    bookFreeCall(server, { coach: "daniel-reyes", email: "alan@example.com", name: "Alan Turing" }),
  ]);
  daniel = { email: "daniel@example.com", password: account.password };
  mayaBooking = maya;
  danielBooking = dan;
});
afterAll(() => server?.stop());

const SESSION = "kairos_session";
const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
const sessionRows = () =>
  readDb<{ id: string; user_id: number; created_at: number; expires_at: number }>(
    server,
    "select * from sessions order by created_at",
  );
const userId = (email: string) =>
  readDb<{ id: number }>(server, "select id from users where email = ?", email)[0]!.id;
const sessionsOf = (email: string) => sessionRows().filter((row) => row.user_id === userId(email));
const failures = () =>
  readDb<{ email: string; address: string; at: number }>(
    server,
    "select email, address, at from login_failures order by id",
  );
/** The raw token inside a browser's signed session cookie. */
const tokenOf = (client: FormClient) => {
  const value = client.cookieHeader.match(/kairos_session=([^;]*)/)?.[1];
  if (!value) throw new Error("no session cookie");
  return draftIdInCookie(value);
};
const statusOf = (booking: BookingRow) =>
  readDb<{ status: string }>(server, "select status from bookings where id = ?", booking.id)[0]!
    .status;
const bounce = (path: string) => `/login?redirectTo=${encodeURIComponent(path)}`;
/** A browser at this exact address (as the trusted proxy reports it). */
const from = (address: string) => new FormClient(server.url, address);

describe("signing in", () => {
  it("with the printed password: 303 to redirectTo, a HttpOnly SameSite=Lax cookie, only a hash stored", async () => {
    const before = sessionsOf(owner.email).length;
    const { client, page } = await postLogin(server, { ...owner, redirectTo: "/coach?when=past" });
    expect(page.status).toBe(303);
    expect(page.response.headers.get("location")).toBe("/coach?when=past");

    const cookie = client.lastSetCookie.get(SESSION)!;
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    expect(cookie).not.toMatch(/;\s*Secure/i);

    const token = tokenOf(client);
    expect(token).toMatch(/^[\w-]{43}$/);
    const rows = sessionsOf(owner.email);
    expect(rows).toHaveLength(before + 1);
    const mine = rows.find((row) => row.id === sha256(token));
    expect(mine).toBeDefined();
    expect(JSON.stringify(sessionRows())).not.toContain(token);
    // Signed out after eight idle hours.
    expect(mine!.expires_at - mine!.created_at).toBe(8 * 60 * 60 * 1000);

    const dashboard = await client.get("/coach");
    expect(dashboard.status).toBe(200);
    expect(text(dashboard.html)).toContain("Needs attention");
    expect(text(dashboard.html)).toContain("Sign out (Maya Okafor)");
  });

  it("the email is matched whatever its case and spaces", async () => {
    const { page } = await postLogin(server, {
      email: "  MAYA@Example.com ",
      password: owner.password,
    });
    expect(page.status).toBe(303);
    expect(page.location).toBe("/coach");
  });

  it("on an https address the cookie is also Secure", async () => {
    const secure = await startServer({ env: { APP_URL: "https://kairos.example" } });
    try {
      // The server listens on plain http here; the cookie's flags follow the public address.
      const client = new FormClient(secure.url);
      const page = await client.post("/login", ownerLogin(secure));
      expect(page.status).toBe(303);
      const cookie = client.lastSetCookie.get(SESSION)!;
      expect(cookie).toMatch(/;\s*Secure/i);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    } finally {
      await secure.stop();
    }
  });

  it("a wrong password and an unknown email: 401, the same page, no session", async () => {
    const before = sessionRows().length;
    const wrong = await postLogin(server, { email: owner.email, password: "not-the-password" });
    const unknown = await postLogin(server, {
      email: "nobody@example.com",
      password: owner.password,
    });
    expect(wrong.page.status).toBe(401);
    expect(unknown.page.status).toBe(401);
    expect(text(wrong.page.html)).toContain(WRONG_LOGIN);
    expect(text(unknown.page.html)).toBe(text(wrong.page.html));
    expect(wrong.client.lastSetCookie.has(SESSION)).toBe(false);
    expect(unknown.client.lastSetCookie.has(SESSION)).toBe(false);
    expect(sessionRows()).toHaveLength(before);
    // Neither browser is signed in.
    expect((await wrong.client.get("/coach")).location).toBe(bounce("/coach"));
  });

  it("empty fields: 400 with the messages next to the fields, nothing counted as a failure", async () => {
    const before = failures().length;
    const { page } = await postLogin(server, { email: "", password: "" });
    expect(page.status).toBe(400);
    expect(errorText(page.html, "email-error")).toBe("Enter your email address.");
    expect(errorText(page.html, "password-error")).toBe("Enter your password.");
    expect(page.html).toMatch(/<input[^>]*id="email"[^>]*aria-invalid="true"/);
    expect(page.html).toMatch(/<input[^>]*id="password"[^>]*aria-invalid="true"/);

    const onlyPassword = await postLogin(server, { email: owner.email, password: "" });
    expect(onlyPassword.page.status).toBe(400);
    expect(errorText(onlyPassword.page.html, "email-error")).toBeUndefined();
    expect(errorText(onlyPassword.page.html, "password-error")).toBe("Enter your password.");
    expect(failures()).toHaveLength(before);
  });
});

describe("throttling", () => {
  // Each test counts its own failures; none is left for the tests after it.
  const forget = () => writeDb(server, "delete from login_failures");
  beforeEach(forget);
  afterEach(forget);

  it("per account: five failures from five addresses, then even the right password waits; another account does not", async () => {
    for (let i = 1; i <= 5; i++) {
      const { page } = await postLogin(
        server,
        { email: owner.email, password: `guess-${i}` },
        from(`192.0.2.${i}`),
      );
      expect(page.status).toBe(401);
    }
    expect(failures().filter((f) => f.email === owner.email)).toHaveLength(5);

    const sessionsBefore = sessionRows().length;
    const { client, page } = await postLogin(server, owner, from("192.0.2.6"));
    expect(page.status).toBe(429);
    // Soft, so that the rest of the story is still checked when the header is missing.
    const retryAfter = Number(page.response.headers.get("retry-after"));
    expect.soft(retryAfter, "Retry-After (seconds)").toBeGreaterThan(0);
    expect.soft(retryAfter, "Retry-After (seconds)").toBeLessThanOrEqual(15 * 60);
    expect(text(page.html)).toMatch(/Too many attempts\. Try again in \d+ minutes?\./);
    expect(client.lastSetCookie.has(SESSION)).toBe(false);
    expect(sessionRows()).toHaveLength(sessionsBefore);

    // Another account, even from an address that failed for Maya, signs in.
    expect((await postLogin(server, daniel, from("192.0.2.1"))).page.status).toBe(303);

    // Fifteen minutes later (the failures' times moved back rather than waited for).
    writeDb(
      server,
      "update login_failures set at = at - ? where email = ?",
      15 * 60 * 1000 + 1000,
      owner.email,
    );
    const later = await postLogin(server, owner, from("192.0.2.6"));
    expect(later.page.status).toBe(303);
    expect(later.page.location).toBe("/coach");
    // A success forgives the account's failures.
    expect(failures().filter((f) => f.email === owner.email)).toEqual([]);
  });

  it("per address: five failures on five emails from one address, then that address waits; another does not", async () => {
    const address = "198.51.100.7";
    for (let i = 1; i <= 5; i++) {
      const { page } = await postLogin(
        server,
        { email: `stranger-${i}@example.com`, password: "guess" },
        from(address),
      );
      expect(page.status).toBe(401);
      expect(text(page.html)).toContain(WRONG_LOGIN);
    }
    const throttled = await postLogin(server, owner, from(address));
    expect(throttled.page.status).toBe(429);
    expect
      .soft(Number(throttled.page.response.headers.get("retry-after")), "Retry-After (seconds)")
      .toBeGreaterThan(0);
    expect(text(throttled.page.html)).toMatch(/Too many attempts\. Try again in \d+ minutes?\./);

    const elsewhere = await postLogin(server, owner, from("198.51.100.8"));
    expect(elsewhere.page.status).toBe(303);
    // Maya's success forgives her account, not the address that guessed.
    expect((await postLogin(server, owner, from(address))).page.status).toBe(429);

    writeDb(
      server,
      "update login_failures set at = at - ? where address = ?",
      15 * 60 * 1000 + 1000,
      address,
    );
    expect((await postLogin(server, owner, from(address))).page.status).toBe(303);
  });
});

describe("signing out and expiry", () => {
  it("GET /logout only shows the buttons; POST ends the session and the old cookie opens nothing", async () => {
    const client = await signedIn(server, owner);
    const token = tokenOf(client);
    const page = await client.get("/logout");
    expect(page.status).toBe(200);
    expect(text(page.html)).toContain("Sign out on every device");
    expect(sessionRows().some((row) => row.id === sha256(token))).toBe(true);
    expect((await client.get("/coach")).status).toBe(200);

    const oldCookie = client.at(server.url); // a copy of the browser, keeping the cookie
    const out = await client.post("/logout", {});
    expect(out.status).toBe(303);
    expect(out.location).toBe("/login");
    expect(client.lastSetCookie.get(SESSION)).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    expect(sessionRows().some((row) => row.id === sha256(token))).toBe(false);

    const replay = await oldCookie.get("/coach");
    expect(replay.status).toBe(303);
    expect(replay.location).toBe(bounce("/coach"));
    expect((await client.get("/coach")).location).toBe(bounce("/coach"));
  });

  it("signing out everywhere ends the other browser's session too, and only this user's", async () => {
    const here = await signedIn(server, owner);
    const there = await signedIn(server, owner);
    const dan = await signedIn(server, daniel);
    expect(sessionsOf(owner.email).length).toBeGreaterThanOrEqual(2);

    const out = await here.post("/logout", { everywhere: "yes" });
    expect(out.status).toBe(303);
    expect(sessionsOf(owner.email)).toEqual([]);
    expect((await there.get("/coach")).location).toBe(bounce("/coach"));
    expect((await here.get("/coach")).location).toBe(bounce("/coach"));
    expect((await dan.get("/coach")).status).toBe(200);
  });

  it("a plain sign-out leaves the user's other browsers signed in", async () => {
    const here = await signedIn(server, owner);
    const there = await signedIn(server, owner);
    await here.post("/logout", {});
    expect((await here.get("/coach")).location).toBe(bounce("/coach"));
    expect((await there.get("/coach")).status).toBe(200);
  });

  it("after eight idle hours the session has ended; a request before then slides it forward", async () => {
    const client = await signedIn(server, owner);
    const id = sha256(tokenOf(client));

    // An hour left: a request moves the end to eight hours from now.
    writeDb(server, "update sessions set expires_at = ? where id = ?", Date.now() + 3600_000, id);
    const beforeRequest = Date.now();
    expect((await client.get("/coach")).status).toBe(200);
    const slid = sessionRows().find((row) => row.id === id)!.expires_at;
    expect(slid).toBeGreaterThanOrEqual(beforeRequest + 8 * 3600_000);

    writeDb(server, "update sessions set expires_at = ? where id = ?", Date.now() - 1000, id);
    const expired = await client.get("/coach/bookings/" + mayaBooking.id);
    expect(expired.status).toBe(303);
    expect(expired.location).toBe(bounce(`/coach/bookings/${mayaBooking.id}`));
    expect((await client.get("/coach")).location).toBe(bounce("/coach"));
  });

  it("thirty days after signing in the session has ended, however active", async () => {
    const client = await signedIn(server, owner);
    const id = sha256(tokenOf(client));
    writeDb(
      server,
      "update sessions set created_at = ? where id = ?",
      Date.now() - 31 * 24 * 3600_000,
      id,
    );
    expect((await client.get("/coach")).location).toBe(bounce("/coach"));
  });
});

describe("the guard on the coach area", () => {
  it("every coach page without a session: 303 to /login with the way back", async () => {
    const stranger = new FormClient(server.url);
    for (const path of [
      "/coach",
      "/coach?when=past&status=confirmed",
      `/coach/bookings/${mayaBooking.id}`,
      `/coach/bookings/${mayaBooking.id}?do=cancel`,
      "/coach/bookings/no-such-booking",
      "/logout",
    ]) {
      const page = await stranger.get(path);
      expect(page.status, path).toBe(303);
      expect(page.location, path).toBe(bounce(path));
    }
  });

  it("every action without a session: 303 to /login, nothing changed", async () => {
    const stranger = new FormClient(server.url);
    const path = `/coach/bookings/${mayaBooking.id}`;
    const before = eventsOf(server, mayaBooking.id);
    const forms: Record<string, string>[] = [
      { intent: "cancel", refund: "none", key: "a".repeat(22) },
      { intent: "refund", refund: "full", key: "b".repeat(22) },
      { intent: "complete" },
      { intent: "no_show" },
      { intent: "resolve" },
    ];
    for (const form of forms) {
      const page = await stranger.post(path, form);
      expect(page.status, form.intent).toBe(303);
      expect(page.location, form.intent).toBe(bounce(path));
    }
    const loggedOut = await stranger.post("/logout", { everywhere: "yes" });
    expect(loggedOut.location).toBe(bounce("/logout"));
    expect(statusOf(mayaBooking)).toBe("confirmed");
    expect(eventsOf(server, mayaBooking.id)).toEqual(before);
  });

  it("signing in from the bounce goes back to the page asked for", async () => {
    const client = new FormClient(server.url);
    const path = `/coach/bookings/${mayaBooking.id}?do=cancel`;
    const bounced = await client.get(path);
    expect(bounced.location).toBe(bounce(path));
    const login = await client.get(bounced.location!);
    expect(login.status).toBe(200);
    const redirectTo = login.html.match(/name="redirectTo" value="([^"]*)"/)?.[1];
    expect(redirectTo?.replaceAll("&amp;", "&")).toBe(path);
    const { page } = await postLogin(server, { ...owner, redirectTo: path }, client);
    expect(page.status).toBe(303);
    expect(page.response.headers.get("location")).toBe(path);
    const confirm = await client.get(path);
    expect(confirm.status).toBe(200);
    expect(text(confirm.html)).toContain("Cancel the booking?");
  });

  it.each(["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"])(
    "redirectTo %s lands on /coach instead",
    async (target) => {
      const loginPage = await new FormClient(server.url).get(
        `/login?redirectTo=${encodeURIComponent(target)}`,
      );
      expect(loginPage.status).toBe(200);
      expect(loginPage.html).toContain('name="redirectTo" value="/coach"');

      const { client, page } = await postLogin(server, { ...owner, redirectTo: target });
      expect(page.status).toBe(303);
      expect(page.response.headers.get("location")).toBe("/coach");

      // Already signed in, the login page sends on: to /coach as well.
      const again = await client.get(`/login?redirectTo=${encodeURIComponent(target)}`);
      expect(again.status).toBeGreaterThanOrEqual(300);
      expect(again.status).toBeLessThan(400);
      expect(again.response.headers.get("location")).toBe("/coach");
    },
  );

  it("a sign-in posted from another site: 403, no session", async () => {
    const before = sessionRows().length;
    const client = new FormClient(server.url);
    const page = await client.request("/login", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: "http://evil.example",
      },
      body: new URLSearchParams(owner),
    });
    expect(page.status).toBe(403);
    expect(client.lastSetCookie.has(SESSION)).toBe(false);
    expect(sessionRows()).toHaveLength(before);
  });

  it("a coach action posted from another site: 403, the booking unchanged", async () => {
    const client = await signedIn(server, owner);
    const path = `/coach/bookings/${mayaBooking.id}`;
    const key = confirmationKey((await client.get(`${path}?do=cancel`)).html);
    const before = eventsOf(server, mayaBooking.id);
    const page = await client.request(path, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: "http://evil.example",
      },
      body: new URLSearchParams({ intent: "cancel", refund: "none", key }),
    });
    expect(page.status).toBe(403);
    expect(statusOf(mayaBooking)).toBe("confirmed");
    expect(eventsOf(server, mayaBooking.id)).toEqual(before);
    // Sign-out is a state change too.
    const logout = await client.request("/logout", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: "http://evil.example",
      },
      body: new URLSearchParams({ everywhere: "yes" }),
    });
    expect(logout.status).toBe(403);
    expect((await client.get("/coach")).status).toBe(200);
  });
});

describe("accounts and roles", () => {
  it("coach:create makes an account and prints its password; run again, it resets it", async () => {
    const created = await createAccount(server, { email: "Sam@Example.com", name: "Sam Ops" });
    expect(created.stdout).toContain("Created the coach account sam@example.com.");
    expect(created.stdout).toMatch(/^Password: [\w-]{16}$/m);
    const [row] = readDb<{ name: string; role: string; coach_id: number | null; hash: string }>(
      server,
      "select name, role, coach_id, password_hash as hash from users where email = 'sam@example.com'",
    );
    expect(row).toMatchObject({ name: "Sam Ops", role: "coach", coach_id: null });
    expect(row!.hash).toMatch(/^scrypt\$/);
    expect(row!.hash).not.toContain(created.password);

    const first = await signedIn(server, { email: "sam@example.com", password: created.password });
    expect((await first.get("/coach")).status).toBe(200);

    const reset = await createAccount(server, { email: "sam@example.com", name: "Sam Ops" });
    expect(reset.stdout).toContain("Reset the coach account sam@example.com.");
    expect(reset.password).not.toBe(created.password);
    const old = await postLogin(server, { email: "sam@example.com", password: created.password });
    expect(old.page.status).toBe(401);
    expect(text(old.page.html)).toContain(WRONG_LOGIN);
    const fresh = await postLogin(server, { email: "sam@example.com", password: reset.password });
    expect(fresh.page.status).toBe(303);
    expect(readDb(server, "select id from users where email = 'sam@example.com'")).toHaveLength(1);
  });

  it("an account with a coach's email is tied to that coach", () => {
    const [row] = readDb<{ role: string; coach: string }>(
      server,
      "select u.role, c.slug as coach from users u join coaches c on c.id = u.coach_id where u.email = 'daniel@example.com'",
    );
    expect(row).toEqual({ role: "coach", coach: "daniel-reyes" });
  });

  it("a coach opens their own bookings only: another coach's is 403, and not listed", async () => {
    const dan = await signedIn(server, daniel);
    const own = await dan.get(`/coach/bookings/${danielBooking.id}`);
    expect(own.status).toBe(200);
    expect(text(own.html)).toContain("Alan Turing");

    const others = await dan.get(`/coach/bookings/${mayaBooking.id}`);
    expect(others.status).toBe(403);
    expect(text(others.html)).toContain("That isn’t yours to see");
    expect(others.html).not.toContain("Grace Hopper");
    expect(others.html).not.toContain("grace@example.com");
    const confirm = await dan.get(`/coach/bookings/${mayaBooking.id}?do=cancel`);
    expect(confirm.status).toBe(403);

    const before = eventsOf(server, mayaBooking.id);
    const action = await dan.post(`/coach/bookings/${mayaBooking.id}`, {
      intent: "cancel",
      refund: "none",
      key: "c".repeat(22),
    });
    expect(action.status).toBe(403);
    expect(statusOf(mayaBooking)).toBe("confirmed");
    expect(eventsOf(server, mayaBooking.id)).toEqual(before);

    const dashboard = text((await dan.get("/coach")).html);
    expect(dashboard).toContain("Alan Turing");
    expect(dashboard).not.toContain("Grace Hopper");
    // Asking for Maya's calendar by her id shows nothing of it either.
    const mayaId = readDb<{ id: number }>(
      server,
      "select id from coaches where slug = 'maya-okafor'",
    )[0]!.id;
    const filtered = await dan.get(`/coach?coach=${mayaId}`);
    expect(text(filtered.html)).not.toContain("Grace Hopper");
  });

  it("the owner sees and opens every coach's bookings", async () => {
    const client = await signedIn(server, owner);
    const dashboard = text((await client.get("/coach")).html);
    expect(dashboard).toContain("Grace Hopper");
    expect(dashboard).toContain("Alan Turing");
    for (const booking of [mayaBooking, danielBooking]) {
      const page = await client.get(`/coach/bookings/${booking.id}`);
      expect(page.status).toBe(200);
    }
  });

  it("an unknown booking id: 404, for the owner and for a coach", async () => {
    for (const credentials of [owner, daniel]) {
      const client = await signedIn(server, credentials);
      const page = await client.get("/coach/bookings/bk_does_not_exist");
      expect(page.status).toBe(404);
      expect(text(page.html)).toContain("We couldn’t find that page");
      const action = await client.post("/coach/bookings/bk_does_not_exist", {
        intent: "complete",
      });
      expect(action.status).toBe(404);
    }
  });
});
