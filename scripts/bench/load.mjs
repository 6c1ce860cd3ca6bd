/**
 * One load run: autocannon's programmatic API in this process (one worker), the same settings for
 * Kairos and the anchors, and the server's CPU time read from /proc around the timed part.
 */
import autocannon from "autocannon";
import { cpuMs } from "./processes.mjs";

/** Every load of the bench: 10 connections, no pipelining, one worker (this process). */
export const CONNECTIONS = 10;

/** What a browser sends with every page request. */
export const BROWSER_HEADERS = {
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "accept-encoding": "gzip, deflate, br",
  "accept-language": "en-US,en;q=0.9",
};

/** One autocannon run; with it, when its last answer came (performance.now()). */
function run(options) {
  return new Promise((resolve, reject) => {
    let lastResponseAt = performance.now();
    const instance = autocannon(
      // Autocannon stops at its next sample after the duration: sampled every 100 ms, a run
      // lasts what it was asked to (its per-second figures are not used).
      { connections: CONNECTIONS, pipelining: 1, timeout: 30, sampleInt: 100, ...options },
      (error, result) => (error ? reject(error) : resolve({ result, lastResponseAt })),
    );
    // A run of `amount` requests ends at autocannon's next sample, not at its last answer.
    instance.on("response", () => {
      lastResponseAt = performance.now();
    });
    instance.on("error", () => {});
  });
}

/**
 * Loads `url` with `requests` (autocannon's request objects: method, path, headers, body,
 * setupRequest, onResponse) for `seconds` (or `amount` requests), after an untimed warm-up of
 * `warmupSeconds` (warm JIT and caches, open the connections). `pid` is the server's, for its CPU.
 */
export async function load({ url, requests, seconds, amount, warmupSeconds = 0, pid }) {
  if (warmupSeconds > 0) await run({ url, requests, duration: warmupSeconds });
  const cpuBefore = pid ? cpuMs(pid) : null;
  const started = performance.now();
  const { result, lastResponseAt } = await run(
    amount ? { url, requests, amount } : { url, requests, duration: seconds },
  );
  const cpuAfter = pid ? cpuMs(pid) : null;
  const elapsedMs = (amount ? lastResponseAt : performance.now()) - started;
  const responses = result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"];
  return {
    responses,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
    ),
    elapsedMs,
    perSecond: responses / (elapsedMs / 1000),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuMsPerRequest: cpuBefore === null ? null : (cpuAfter - cpuBefore) / Math.max(responses, 1),
    /** Whether every request was answered 2xx, without errors or timeouts. */
    clean: result.non2xx === 0 && result.errors === 0 && result.timeouts === 0 && responses > 0,
  };
}
