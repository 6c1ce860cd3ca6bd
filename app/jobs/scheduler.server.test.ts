/**
 * The in-process job scheduler, on vitest's fake clock (no database, no real waiting): a job runs
 * at start and then every `everyMs`; a slow run is never overlapped by the next tick; a failure is
 * recorded, logged and cleared by the next good run; `status()` and `jobStatuses()` report runs
 * and their last start and finish; the log receives the line a run returns; and `stop()` waits for
 * a run in flight, after which no run starts and the scheduler is no longer reported.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { log as logger } from "~/lib/log.server";
import { jobStatuses, startJobs, type Job, type Scheduler } from "./scheduler.server";

const EVERY = 1_000;
const START = new Date("2027-03-15T09:00:00Z");

let started: Scheduler[] = [];
let consoleError: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  vi.useFakeTimers({ now: START });
  consoleError = vi.spyOn(logger, "error").mockImplementation(() => {});
});

afterEach(async () => {
  // Stop every scheduler a test started (their in-flight runs are settled by the tests).
  await Promise.all(started.map((scheduler) => scheduler.stop()));
  started = [];
  consoleError.mockRestore();
  vi.useRealTimers();
});

function start(jobs: Job[], log: (line: string) => void = () => {}) {
  const scheduler = startJobs(jobs, log);
  started.push(scheduler);
  return scheduler;
}

/** A promise the test settles by hand, to stand for a run that takes its time. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets the promise callbacks queued so far run, without moving the clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe("startJobs", () => {
  it("runs a job at start and then every everyMs", async () => {
    const run = vi.fn();
    start([{ name: "tick", everyMs: EVERY, run }]);
    expect(run).toHaveBeenCalledTimes(1);

    await vi.advanceTimersByTimeAsync(EVERY - 1);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(3 * EVERY);
    expect(run).toHaveBeenCalledTimes(5);
  });

  it("runs each job on its own timer", async () => {
    const fast = vi.fn();
    const slow = vi.fn();
    start([
      { name: "fast", everyMs: EVERY, run: fast },
      { name: "slow", everyMs: 4 * EVERY, run: slow },
    ]);
    await vi.advanceTimersByTimeAsync(4 * EVERY);
    expect(fast).toHaveBeenCalledTimes(5);
    expect(slow).toHaveBeenCalledTimes(2);
  });

  it("never overlaps a slow run with the next tick", async () => {
    const slowRun = deferred();
    let inFlight = 0;
    let mostAtOnce = 0;
    const run = vi.fn(async () => {
      inFlight++;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      if (run.mock.calls.length === 1) await slowRun.promise;
      inFlight--;
    });
    const scheduler = start([{ name: "slow", everyMs: EVERY, run }]);

    // Three ticks pass while the first run is still going: none of them starts another.
    await vi.advanceTimersByTimeAsync(3 * EVERY + 500);
    expect(run).toHaveBeenCalledTimes(1);
    expect(scheduler.status()[0]).toMatchObject({ runs: 0, lastFinishedAt: null });

    slowRun.resolve();
    await settle();
    expect(scheduler.status()[0]!.runs).toBe(1);
    // The next tick after it finished runs again.
    await vi.advanceTimersByTimeAsync(500);
    expect(run).toHaveBeenCalledTimes(2);
    expect(mostAtOnce).toBe(1);
  });

  it("records a failed run's error, logs it, and clears it on the next good run", async () => {
    let fail = true;
    const run = vi.fn(async () => {
      if (fail) throw new Error("database is locked");
    });
    const log = vi.fn();
    const scheduler = start([{ name: "flaky", everyMs: EVERY, run }], log);
    await settle();

    expect(scheduler.status()[0]).toMatchObject({
      name: "flaky",
      runs: 1,
      lastError: "database is locked",
    });
    expect(consoleError).toHaveBeenCalledTimes(1);
    expect(consoleError.mock.calls[0]![0]).toEqual({
      err: new Error("database is locked"),
      job: "flaky",
    });
    expect(log).not.toHaveBeenCalled();

    // The failure does not stop the timer: the next run tries again, and succeeds.
    fail = false;
    await vi.advanceTimersByTimeAsync(EVERY);
    expect(run).toHaveBeenCalledTimes(2);
    expect(scheduler.status()[0]).toMatchObject({ runs: 2, lastError: null });
    expect(consoleError).toHaveBeenCalledTimes(1);
  });

  it("records a thrown non-Error as its text", async () => {
    const scheduler = start([
      {
        name: "odd",
        everyMs: EVERY,
        run: () => {
          throw "out of cheese";
        },
      },
    ]);
    await settle();
    expect(scheduler.status()[0]).toMatchObject({ runs: 1, lastError: "out of cheese" });
  });

  it("reports runs and the last start and finish in status()", async () => {
    const running = deferred();
    const run = vi.fn(() => running.promise);
    const scheduler = start([{ name: "report", everyMs: EVERY, run }]);

    expect(scheduler.status()).toEqual([
      {
        name: "report",
        everyMs: EVERY,
        runs: 0,
        lastStartedAt: START,
        lastFinishedAt: null,
        lastError: null,
      },
    ]);

    await vi.advanceTimersByTimeAsync(250);
    running.resolve();
    await settle();
    expect(scheduler.status()[0]).toEqual({
      name: "report",
      everyMs: EVERY,
      runs: 1,
      lastStartedAt: START,
      lastFinishedAt: new Date(START.getTime() + 250),
      lastError: null,
    });

    // The next tick starts (and, the run being quick now, finishes) the second run.
    await vi.advanceTimersByTimeAsync(EVERY - 250);
    expect(scheduler.status()[0]).toMatchObject({
      runs: 2,
      lastStartedAt: new Date(START.getTime() + EVERY),
      lastFinishedAt: new Date(START.getTime() + EVERY),
    });
  });

  it("hands out copies: a caller cannot change the scheduler's status", async () => {
    const scheduler = start([{ name: "copy", everyMs: EVERY, run: () => {} }]);
    await settle();
    scheduler.status()[0]!.runs = 99;
    expect(scheduler.status()[0]!.runs).toBe(1);
  });

  it("passes the line a run returns to the log, and nothing when it returns none", async () => {
    const log = vi.fn();
    let said: string | undefined = "Removed 2 expired booking draft(s)";
    start([{ name: "talk", everyMs: EVERY, run: async () => said }], log);
    await settle();
    expect(log).toHaveBeenCalledExactlyOnceWith("Removed 2 expired booking draft(s)");

    said = undefined;
    await vi.advanceTimersByTimeAsync(EVERY);
    expect(log).toHaveBeenCalledTimes(1);
  });
});

describe("jobStatuses", () => {
  it("reflects the running scheduler and is empty after stop()", async () => {
    const scheduler = start([
      { name: "a", everyMs: EVERY, run: () => {} },
      { name: "b", everyMs: 2 * EVERY, run: () => {} },
    ]);
    await vi.advanceTimersByTimeAsync(2 * EVERY);
    expect(jobStatuses()).toEqual(scheduler.status());
    expect(jobStatuses().map(({ name, runs }) => ({ name, runs }))).toEqual([
      { name: "a", runs: 3 },
      { name: "b", runs: 2 },
    ]);

    await scheduler.stop();
    expect(jobStatuses()).toEqual([]);
  });

  it("follows the newest scheduler", async () => {
    const first = start([{ name: "first", everyMs: EVERY, run: () => {} }]);
    const second = start([{ name: "second", everyMs: EVERY, run: () => {} }]);
    expect(jobStatuses().map((job) => job.name)).toEqual(["second"]);
    // Stopping an older scheduler does not hide the current one.
    await first.stop();
    expect(jobStatuses().map((job) => job.name)).toEqual(["second"]);
    await second.stop();
    expect(jobStatuses()).toEqual([]);
  });
});

describe("stop", () => {
  it("waits for a run in flight, and no run starts after it", async () => {
    const running = deferred();
    const run = vi.fn(() => running.promise);
    const scheduler = start([{ name: "long", everyMs: EVERY, run }]);

    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(5 * EVERY);
    expect(stopped).toBe(false);
    expect(run).toHaveBeenCalledTimes(1);

    running.resolve();
    await stopping;
    expect(stopped).toBe(true);
    expect(scheduler.status()[0]).toMatchObject({
      runs: 1,
      lastFinishedAt: new Date(START.getTime() + 5 * EVERY),
    });

    await vi.advanceTimersByTimeAsync(10 * EVERY);
    expect(run).toHaveBeenCalledTimes(1);
    expect(scheduler.status()[0]!.runs).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("resolves at once when nothing is running", async () => {
    const run = vi.fn();
    const scheduler = start([{ name: "idle", everyMs: EVERY, run }]);
    await settle();
    let stopped = false;
    await scheduler.stop().then(() => (stopped = true));
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(3 * EVERY);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
