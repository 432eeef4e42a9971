import { ApiError } from './api-client.ts';
import { CliError } from './errors.ts';

/** Turns an API answer into a message a person can act on. */
export const explainApiError = (error: ApiError): CliError => {
  const { status, message, body } = error;
  switch (status) {
    case 0:
      return new CliError(message);
    case 400: {
      const problems = Array.isArray(body.problems)
        ? (body.problems as { path: string; message: string }[])
            .map((p) => `\n  ${p.path}: ${p.message}`)
            .join('')
        : '';
      return new CliError(`${message}${problems}`);
    }
    case 401:
      return new CliError(
        `the API refused the credentials (401): ${message}; check --token, KANARI_TOKEN or the config file`,
      );
    case 403:
      return new CliError(
        `forbidden (403): ${message}; with --sigv4, the caller needs execute-api:Invoke on the API`,
      );
    case 404:
      return new CliError(message);
    case 422: {
      const problems = Array.isArray(body.problems)
        ? (body.problems as { check: string; message: string }[])
        : [];
      if (problems.length === 0) return new CliError(message);
      const warnings = Array.isArray(body.warnings) ? (body.warnings as string[]) : [];
      return new CliError(
        `preflight refused the rollout; nothing was changed:${problems
          .map((p) => `\n  ${p.check}: ${p.message}`)
          .join('')}${warnings.map((w) => `\n  warning: ${w}`).join('')}`,
      );
    }
    case 409:
      return new CliError(
        typeof body.phase === 'string' ? `${message} (current phase: ${body.phase})` : message,
      );
    default:
      return new CliError(`the API failed (${status}): ${message}`);
  }
};

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;
