import { ApiError } from './api-client.ts';
import { CliError, exitCodeForStatus } from './errors.ts';

/** Turns an API answer into a message a person can act on. */
export const explainApiError = (error: ApiError): CliError => {
  const explained = explain(error);
  return new CliError(explained, exitCodeForStatus(error.status));
};

const explain = (error: ApiError): string => {
  const { status, message, body } = error;
  switch (status) {
    case 0:
      return message;
    case 400: {
      const problems = Array.isArray(body.problems)
        ? (body.problems as { path: string; message: string }[])
            .map((p) => `\n  ${p.path}: ${p.message}`)
            .join('')
        : '';
      return `${message}${problems}`;
    }
    case 401:
      return `the API refused the credentials (401): ${message}; check --token, KANARI_TOKEN or the config file`;
    case 403:
      return `forbidden (403): ${message}; with --sigv4, the caller needs execute-api:Invoke on the API`;
    case 404:
      return message;
    case 422: {
      const problems = Array.isArray(body.problems)
        ? (body.problems as { check: string; message: string }[])
        : [];
      if (problems.length === 0) return message;
      const warnings = Array.isArray(body.warnings) ? (body.warnings as string[]) : [];
      return `preflight refused the rollout; nothing was changed:${problems
        .map((p) => `\n  ${p.check}: ${p.message}`)
        .join('')}${warnings.map((w) => `\n  warning: ${w}`).join('')}`;
    }
    case 409:
      return typeof body.phase === 'string' ? `${message} (current phase: ${body.phase})` : message;
    default:
      return `the API failed (${status}): ${message}`;
  }
};

/** An ApiError, also one thrown by a module loaded apart from this bundle (the sandbox). */
export const isApiError = (error: unknown): error is ApiError =>
  error instanceof ApiError ||
  (error instanceof Error && error.name === 'ApiError' && 'status' in error && 'body' in error);
