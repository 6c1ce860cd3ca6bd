/**
 * In-process background jobs: no cron, no queue server (one process, one file). Each job runs on
 * its own timer; a run never overlaps the job's previous one, a failure is logged and the next run
 * tries again, and the last run of each is kept for `/healthz`. `stop` waits for runs in flight, so
 * a shutdown never cuts one off halfway.
 */
import { log } from "~/lib/log.server";

export type Job = {
  name: string;
  everyMs: number;
  /** Returns a line for the log when it did something worth saying. */
  run: () => Promise<string | void> | string | void;
};

export type JobStatus = {
  name: string;
  everyMs: number;
  runs: number;
  lastStartedAt: Date | null;
  lastFinishedAt: Date | null;
  lastError: string | null;
};

export type Scheduler = { status: () => JobStatus[]; stop: () => Promise<void> };

let current: Scheduler | null = null;

/** The jobs of the running scheduler, as `/healthz` reports them (empty before start). */
export function jobStatuses(): JobStatus[] {
  return current?.status() ?? [];
}

export function startJobs(
  jobs: Job[],
  report: (line: string) => void = (line) => log.info(line),
): Scheduler {
  const states = jobs.map((job) => ({
    job,
    timer: undefined as NodeJS.Timeout | undefined,
    running: null as Promise<void> | null,
    status: {
      name: job.name,
      everyMs: job.everyMs,
      runs: 0,
      lastStartedAt: null,
      lastFinishedAt: null,
      lastError: null,
    } as JobStatus,
  }));
  let stopped = false;

  const runOnce = (state: (typeof states)[number]) => {
    if (stopped || state.running) return;
    state.status.lastStartedAt = new Date();
    state.running = (async () => {
      try {
        const said = await state.job.run();
        if (said) report(said);
        state.status.lastError = null;
      } catch (error) {
        state.status.lastError = error instanceof Error ? error.message : String(error);
        log.error({ err: error, job: state.job.name }, "Job failed; the next run will try again");
      } finally {
        state.status.runs++;
        state.status.lastFinishedAt = new Date();
        state.running = null;
      }
    })();
  };

  for (const state of states) {
    runOnce(state);
    state.timer = setInterval(() => runOnce(state), state.job.everyMs);
    state.timer.unref();
  }

  const scheduler: Scheduler = {
    status: () => states.map((state) => ({ ...state.status })),
    stop: async () => {
      stopped = true;
      for (const state of states) clearInterval(state.timer);
      await Promise.all(states.map((state) => state.running));
      if (current === scheduler) current = null;
    },
  };
  current = scheduler;
  return scheduler;
}
