import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const STOP_GRACE_MS = 5_000;
const TAIL_CHARS = 4_000;

/** A supervised process ended, or never got ready, before it was of use. */
export class ServiceStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceStartError';
  }
}

export interface ServiceProcessOptions {
  /** Names the process in errors, e.g. `Prometheus`. */
  name: string;
  /** Characters of output kept for errors (stdout and stderr together, as piped). */
  tailChars?: number;
  /** Sees every chunk of output, e.g. to copy it to a log file. */
  onOutput?: (chunk: string) => void;
}

export interface ServiceProcess {
  child: ChildProcess;
  /** Resolves, with how, once the process has exited or failed to start. */
  exited: Promise<string>;
  /** The end of what the process wrote on its piped streams. */
  output(): string;
  /**
   * Polls `check` (a throw counts as not yet) until it returns true. If the process exits or
   * `timeoutMs` passes first, stops the process and throws a ServiceStartError with its output.
   */
  waitUntil(check: () => Promise<boolean>, timeoutMs: number, pollMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** Polls `check` until it returns true (then true) or `timeoutMs` passes (then false). */
export const pollUntil = async (
  check: () => Promise<boolean>,
  timeoutMs: number,
  pollMs = 100,
  giveUp: () => boolean = () => false,
): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !giveUp()) {
    if (await check().catch(() => false)) return true;
    await sleep(pollMs);
  }
  return false;
};

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
export const terminate = async (child: ChildProcess, exited: Promise<string>): Promise<void> => {
  if (!isRunning(child)) return;
  child.kill('SIGTERM');
  const grace = sleep(STOP_GRACE_MS, 'late' as const, { ref: false });
  if ((await Promise.race([exited, grace])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
};

/**
 * Supervises a long-running child: keeps the end of its output (reading also keeps a chatty
 * process from blocking on a full pipe) and kills it if this process exits without stop().
 */
export const superviseProcess = (
  child: ChildProcess,
  options: ServiceProcessOptions,
): ServiceProcess => {
  const tailChars = options.tailChars ?? TAIL_CHARS;
  let text = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      text = (text + chunk).slice(-tailChars);
      options.onOutput?.(chunk);
    });
  }
  const output = () => text.trim();

  let exitedHow: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`exited (code ${code}, signal ${signal})`));
    child.once('error', (error) => resolve(`failed to start: ${error.message}`));
  });
  // A parent that exits without calling stop() must not leave an orphan behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then((how) => {
    exitedHow = how;
    process.removeListener('exit', killOnExit);
  });

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await terminate(child, exited);
  };

  const waitUntil = async (check: () => Promise<boolean>, timeoutMs: number, pollMs = 100) => {
    let lastError: unknown;
    const ready = await Promise.race([
      pollUntil(
        () =>
          check().catch((error: unknown) => {
            lastError = error;
            return false;
          }),
        timeoutMs,
        pollMs,
        () => exitedHow !== undefined,
      ),
      exited.then(() => false),
    ]);
    if (ready && exitedHow === undefined) return;
    const how = exitedHow
      ? `${exitedHow} before it was ready`
      : `was not ready within ${timeoutMs} ms`;
    await stop();
    throw new ServiceStartError(`${options.name} ${how}; output:\n${output() || '(none)'}`, {
      cause: lastError,
    });
  };

  return { child, exited, output, waitUntil, stop };
};
