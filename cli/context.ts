/** What a command may touch of the outside: environment, output streams, and the clock. */
export interface CliContext {
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Waits between polls (watch); tests may shorten it. */
  sleep: (ms: number) => Promise<void>;
  /** The time, in ms since the epoch (ages, the next check); Date.now when absent. */
  now?: () => number;
}

export const processContext = (): CliContext => ({
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
});
