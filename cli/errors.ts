/**
 * Exit codes of the `kanari` command, and the one place that maps an error to its code.
 * Documented in docs/console-and-cli.md and in `kanari --help`.
 */
export const EXIT = {
  ok: 0,
  /** Anything else: an invalid spec, a refused preflight, a server error, a bug. */
  general: 1,
  /** The command line was wrong: unknown command or option, a missing argument, a bad value. */
  usage: 2,
  /** The rollout (or context) does not exist. */
  notFound: 3,
  /** The rollout's phase or version does not allow it (HTTP 409). */
  conflict: 4,
  /** No credentials, or the API refused them (HTTP 401/403). */
  auth: 5,
  /** Nothing answered: connection refused, DNS, TLS, or a timeout. */
  unreachable: 6,
  /** `kanari watch`: the rollout ended, but not Succeeded (RolledBack, Failed, Aborted). */
  rolloutFailed: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The lines for `kanari --help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0  done
  1  error (invalid spec, refused preflight, server error)
  2  usage (unknown command or option, missing argument, bad value)
  3  not found (rollout or context)
  4  conflict (the rollout's phase does not allow it)
  5  auth (no credentials, or the API refused them: 401/403)
  6  unreachable (connection refused, DNS, timeout)
  7  watch: the rollout ended other than Succeeded`;

/** A user-facing CLI error: its message is printed, and the process exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.general,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line is wrong: exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** The exit code for an HTTP status from the API; 0 means nothing answered. */
export const exitCodeForStatus = (status: number): number => {
  if (status === 0) return EXIT.unreachable;
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  return EXIT.general;
};

/**
 * A CliError, also one made by a module loaded apart from this bundle (the sandbox runs from
 * its sources, with its own copy of this class).
 */
export const isCliError = (error: unknown): error is CliError =>
  error instanceof CliError ||
  (error instanceof Error &&
    'exitCode' in error &&
    typeof error.exitCode === 'number' &&
    /Error$/.test(error.name) &&
    error.name !== 'CommanderError');

/** Commander's own errors: help and --version exit 0, every other one is a usage error. */
export const exitCodeOfCommander = (code: string, exitCode: number): number =>
  code === 'commander.helpDisplayed' || code === 'commander.version' || exitCode === 0
    ? EXIT.ok
    : EXIT.usage;
