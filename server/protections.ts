/**
 * The protections every request passes through before the app sees it, in one place so that a new
 * route gets them without asking: security headers (a strict CSP with a nonce for Remix's inline
 * scripts), HSTS on https, methods, same-origin POSTs, form bodies (type and size), and rate limits.
 * Each refusal is a 4xx with a page that says what happened (server/refusal-page.ts).
 */
import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import type { Request, RequestHandler, Response } from "express";
import rateLimit, { ipKeyGenerator } from "express-rate-limit";
import helmet from "helmet";
import { sendRefusal } from "./refusal-page";

/** Forms are small: anything bigger is refused before anyone reads it. */
export const MAX_FORM_BYTES = 64 * 1024;

export type ProtectionOptions = {
  /** The public address (APP_URL): its origin may always post. */
  appOrigin: string;
  /** Where Pay sends the browser (Stripe Checkout's origin), allowed as a form's destination. */
  checkoutOrigins: string[];
};

/** Security headers, with a fresh CSP nonce per request in `res.locals.cspNonce`. */
export function securityHeaders({ appOrigin, checkoutOrigins }: ProtectionOptions) {
  const https = appOrigin.startsWith("https://");
  const nonce: RequestHandler = (_req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString("base64");
    next();
  };
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: [
          "'self'",
          (_req, res) => `'nonce-${(res as unknown as Response).locals.cspNonce}'`,
        ],
        styleSrc: ["'self'"],
        // Coaches' photos may live anywhere on https.
        imgSrc: ["'self'", "data:", "https:"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        // Pay's form is answered with a redirect to Stripe: the redirect must be allowed too.
        formAction: ["'self'", ...checkoutOrigins],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: 365 * 24 * 60 * 60 } : false,
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    xFrameOptions: { action: "deny" },
    crossOriginEmbedderPolicy: false,
  });
  return [nonce, headers];
}

/** A host as browsers send it: a name or an IPv4/IPv6 address, and a port. */
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i;

function isHost(value: string | undefined): boolean {
  const port = value?.match(HOST)?.[1];
  return value !== undefined && HOST.test(value) && (port === undefined || Number(port) <= 65535);
}

const unreadable = {
  status: 400,
  title: "We couldn’t read that request",
  message: "The address or its headers are not what a browser sends. Please open the page again.",
};

/** A path Remix can parse, without the `?_data=` of its retired data requests. */
function isPlainQuery(url: string): boolean {
  try {
    // Parsed as Remix will parse it, so that no spelling of the query slips past.
    return !new URL(url, "http://kairos").searchParams.has("_data");
  } catch {
    return false;
  }
}

/**
 * Requests whose address the app could not even form: a request target that is not a path, a
 * Host (or a trusted proxy's X-Forwarded-Host/-Proto) that is not a host, or Remix's retired
 * `?_data=` requests. Untrusted forwarding headers are removed, so nothing after this believes them.
 */
export const wellFormedRequests: RequestHandler = (req, res, next) => {
  const trusted = req.app.get("trust proxy fn")(req.socket.remoteAddress, 0) as boolean;
  if (!trusted) {
    delete req.headers["x-forwarded-host"];
    delete req.headers["x-forwarded-proto"];
  }
  const forwardedHost = req.get("x-forwarded-host")?.split(",")[0]?.trim();
  const forwardedProto = req.get("x-forwarded-proto")?.split(",")[0]?.trim();
  const wellFormed =
    req.url.startsWith("/") &&
    isHost(req.get("host")) &&
    (forwardedHost === undefined || isHost(forwardedHost)) &&
    (forwardedProto === undefined || /^https?$/.test(forwardedProto)) &&
    isPlainQuery(req.url);
  if (wellFormed) return next();
  sendRefusal(req, res, unreadable);
};

/**
 * Only what the site uses: reading pages and posting forms. JavaScript's data requests (`.data`)
 * are GET or POST; Remix would run an action for any other method there.
 */
export const allowedMethods: RequestHandler = (req, res, next) => {
  const allowed = req.path.endsWith(".data") ? ["GET", "POST"] : ["GET", "HEAD", "POST"];
  if (allowed.includes(req.method)) return next();
  res.setHeader("Allow", allowed.join(", "));
  sendRefusal(req, res, {
    status: 405,
    title: "That can’t be done here",
    message: "This address only shows pages and takes forms.",
  });
};

/**
 * The origin a browser sent this request to: X-Forwarded-Host and -Proto from a proxy we trust
 * (wellFormedRequests has removed any others), else Host. Hosts compare case-insensitively.
 */
function requestOrigin(req: Request): string {
  const host = req.get("x-forwarded-host")?.split(",")[0]?.trim() || req.get("host")!;
  return `${req.protocol}://${host.toLowerCase()}`;
}

/**
 * POSTs only from our own pages. A browser names the page a form came from in `Origin`: it must be
 * the public address (APP_URL) or the address this request came to. Behind a proxy that rewrites
 * Host (nginx's default), APP_URL is what matches; the Host the app sees is then made to agree, so
 * Remix's own check (which compares Origin with the host) agrees too. Without `Origin` (older
 * browsers, scripts) a browser's `Sec-Fetch-Site: cross-site` still gives another site away.
 */
export function sameOriginPosts({ appOrigin }: ProtectionOptions): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "POST") return next();
    const origin = req.get("origin")?.toLowerCase();
    const crossSite =
      origin === undefined
        ? req.get("sec-fetch-site") === "cross-site"
        : origin !== appOrigin && origin !== requestOrigin(req);
    if (crossSite) {
      return sendRefusal(req, res, {
        status: 403,
        title: "That form came from another site",
        message:
          "For your safety we only accept forms sent from this site’s own pages. Please open the page here and try again.",
      });
    }
    // Remix checks the Origin against the host once more, byte for byte: give it the one we accepted.
    if (origin) req.headers["x-forwarded-host"] = new URL(origin).host;
    next();
  };
}

/**
 * Form posts: `application/x-www-form-urlencoded` (what every form of the site sends, with
 * JavaScript or without) and at most MAX_FORM_BYTES. Anything else never reaches a parser.
 */
export const formBodies: RequestHandler = (req, res, next) => {
  if (req.method !== "POST") return next();
  const type = (req.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    return sendRefusal(req, res, {
      status: 415,
      title: "We couldn’t read that form",
      message: "It was not sent as a web form. Please go back and send it from the page.",
    });
  }
  const length = req.get("content-length");
  if (length === undefined) {
    if (!req.get("transfer-encoding")) return next(); // no body: an empty form
    return sendRefusal(req, res, {
      status: 411,
      title: "We couldn’t read that form",
      message: "It was sent without saying how long it is. Please send it from the page.",
    });
  }
  if (!/^\d+$/.test(length)) {
    return sendRefusal(req, res, {
      status: 400,
      title: "We couldn’t read that form",
      message: "Please go back and send it again.",
    });
  }
  if (Number(length) > MAX_FORM_BYTES) {
    return sendRefusal(req, res, {
      status: 413,
      title: "That was too much to send",
      message: `A form can hold ${MAX_FORM_BYTES / 1024} KB at most. Please shorten what you typed and try again.`,
    });
  }
  next();
};

/**
 * How often a client (by address) may do the things worth limiting. A route that needs a limit gets
 * one line here; the webhook never does (Stripe must always get through).
 */
export const RATE_LIMITS = [
  { what: "payment attempts", method: "POST", path: "/book/review", limit: 20, minutes: 15 },
  // A flood guard in front of the sign-in throttle (app/auth/throttle.server.ts), which counts
  // failures per account and address.
  { what: "sign-in attempts", method: "POST", path: "/login", limit: 50, minutes: 15 },
  // Each address also gets only a few links an hour (app/booking/my-bookings.server.ts).
  {
    what: "requests for a bookings link",
    method: "POST",
    path: "/my-bookings",
    limit: 20,
    minutes: 15,
  },
];

export function rateLimits(): RequestHandler[] {
  return RATE_LIMITS.map((rule) =>
    rateLimit({
      windowMs: rule.minutes * 60_000,
      limit: rule.limit,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      identifier: rule.what,
      // The client's address as Express sees it (TRUST_PROXY decides whom to believe), IPv6 by
      // its /56; a proxy's nonsense address falls back to the connection's.
      keyGenerator: (req) =>
        ipKeyGenerator(isIP(req.ip ?? "") ? req.ip! : (req.socket.remoteAddress ?? "")),
      // Its start-up warnings about X-Forwarded-For are about a choice made above, on purpose.
      validate: { xForwardedForHeader: false, ip: false },
      // The same route answers JavaScript's data requests at `<path>.data`.
      skip: (req) =>
        req.method !== rule.method || (req.path !== rule.path && req.path !== `${rule.path}.data`),
      handler: (req, res) =>
        sendRefusal(req, res, {
          status: 429,
          title: "Too many tries",
          message: `There have been too many ${rule.what} from here. Please wait ${Math.ceil(
            Number(res.getHeader("Retry-After") ?? 60) / 60,
          )} minute(s) and try again.`,
        }),
    }),
  );
}
