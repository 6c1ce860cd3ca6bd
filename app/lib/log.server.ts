/**
 * The process's logger (pino). JSON lines in production, for whatever collects them; one readable
 * line per entry elsewhere (`LOG_FORMAT=json|pretty` chooses). Personal data never goes in: callers
 * log ids, never names, emails, tokens or Checkout Session ids, and request paths are redacted by
 * `redactPath` before they are logged.
 */
import pino from "pino";

export type Logger = pino.Logger;

const LEVEL_NAMES: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** pino's JSON line as one line a person reads: time, level, message, then the fields. */
function prettyLine(json: string): string {
  const { level, time, msg, err, pid: _pid, hostname: _host, ...fields } = JSON.parse(json);
  const clock = new Date(time).toISOString().slice(11, 19);
  const extra = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  const stack = err?.stack ? `\n${err.stack}` : "";
  return `${clock} ${LEVEL_NAMES[level] ?? level} ${msg ?? ""}${extra ? ` ${extra}` : ""}${stack}\n`;
}

function createLogger(env: NodeJS.ProcessEnv): Logger {
  const json = (env.LOG_FORMAT ?? (env.NODE_ENV === "production" ? "json" : "pretty")) === "json";
  // A bad LOG_LEVEL falls back here; env validation then names it in one line.
  const level = env.LOG_LEVEL && env.LOG_LEVEL in pino.levels.values ? env.LOG_LEVEL : "info";
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    // Secrets that could ride along in a logged object.
    redact: ["headers.cookie", "headers.authorization", 'headers["stripe-signature"]'],
  };
  if (json) return pino(options, pino.destination({ sync: true }));
  return pino(options, { write: (line: string) => process.stdout.write(prettyLine(line)) });
}

export const log: Logger = createLogger(process.env);

/**
 * A request path as it may be logged: the query string dropped (it carries Checkout Session ids
 * and whatever a client typed), and every segment that looks like a secret (20 or more characters
 * of base64url: manage tokens, magic links, feed tokens, session ids) replaced.
 */
export function redactPath(pathWithQuery: string): string {
  return pathWithQuery
    .split("?")[0]!
    .split("/")
    .map((segment) => (/^[\w-]{20,}(\.\w+)?$/.test(segment) ? ":redacted" : segment))
    .join("/");
}
