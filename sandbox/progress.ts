/**
 * The sandbox's start-up progress: one line when a service starts, one when it is ready, with
 * how long it took. Plain lines only (no colours, spinners or cursor moves), so a terminal, a CI
 * log and a file all read the same.
 */

/** Wide enough for the longest service name and a gap, so the states line up. */
const NAME_WIDTH = 26;

export type ProgressEvent =
  | { service: string; state: 'starting' }
  | { service: string; state: 'ready'; elapsedMs: number; detail?: string }
  | { service: string; state: 'failed'; elapsedMs: number };

/** `5.3 s`, or `850 ms` under a second: a tenth of a second is as fine as start-up needs. */
export const formatElapsed = (ms: number): string => {
  const rounded = Math.max(0, Math.round(ms));
  return rounded < 1_000 ? `${rounded} ms` : `${(rounded / 1_000).toFixed(1)} s`;
};

const MARKS = { starting: '…', ready: '✓', failed: '✗' } as const;

/** `  ✓ DynamoDB Local            ready in 5.3 s`. */
export const formatProgress = (event: ProgressEvent): string => {
  const gap = ' '.repeat(Math.max(1, NAME_WIDTH - event.service.length));
  const head = `  ${MARKS[event.state]} ${event.service}${gap}`;
  switch (event.state) {
    case 'starting':
      return `${head}starting`;
    case 'ready':
      return `${head}ready in ${formatElapsed(event.elapsedMs)}${event.detail ? ` (${event.detail})` : ''}`;
    case 'failed':
      return `${head}failed after ${formatElapsed(event.elapsedMs)}`;
  }
};

/** How long one service took to become ready. */
export interface ServiceTiming {
  service: string;
  ms: number;
}

/** The start-up, measured: the total and each service, in whole milliseconds. */
export interface StartupTimes {
  totalMs: number;
  services: ServiceTiming[];
}

export interface Progress {
  /**
   * Prints the starting line, awaits `start`, then prints the ready line (with `detail` of the
   * result, if given) or, if it throws, the failed line before rethrowing.
   */
  step<T>(service: string, start: () => Promise<T>, detail?: (value: T) => string): Promise<T>;
  /** Prints `  ✓ <what> ready in <time since startedAt>`; returns the times, in whole ms. */
  done(what: string): StartupTimes;
  /** The ready services so far, in the order they became ready. */
  timings(): ServiceTiming[];
}

export interface ProgressOptions {
  /** A monotonic clock in milliseconds; default `performance.now()` (0 is this process's start). */
  now?: () => number;
  /** When `done()` counts from, on that clock; default: now. */
  startedAt?: number;
}

/** Progress written line by line to `say`. */
export const createProgress = (
  say: (line: string) => void,
  options: ProgressOptions = {},
): Progress => {
  const now = options.now ?? (() => performance.now());
  const began = options.startedAt ?? now();
  const ready: ServiceTiming[] = [];
  return {
    async step(service, start, detail) {
      say(formatProgress({ service, state: 'starting' }));
      const t0 = now();
      let value: Awaited<ReturnType<typeof start>>;
      try {
        value = await start();
      } catch (error) {
        say(formatProgress({ service, state: 'failed', elapsedMs: now() - t0 }));
        throw error;
      }
      const elapsedMs = now() - t0;
      ready.push({ service, ms: elapsedMs });
      const text = detail?.(value);
      say(
        formatProgress({ service, state: 'ready', elapsedMs, ...(text ? { detail: text } : {}) }),
      );
      return value;
    },
    done(what) {
      const elapsedMs = now() - began;
      say(formatProgress({ service: what, state: 'ready', elapsedMs }));
      return {
        totalMs: Math.round(elapsedMs),
        services: ready.map(({ service, ms }) => ({ service, ms: Math.round(ms) })),
      };
    },
    timings: () => [...ready],
  };
};
