import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { ActionNotAllowedError, ReasonRequiredError } from '../../lib/app/operator-action.ts';
import { PreflightRefusedError } from '../../lib/app/preflight.ts';
import { LifecycleConflictError } from '../../lib/app/start-rollout.ts';
import {
  InvalidCursorError,
  KanariError,
  RolloutExistsError,
  RolloutNotFoundError,
  RolloutVersionConflictError,
  TargetOwnedError,
} from '../../lib/ports/errors.ts';
import { logError } from './log.ts';

export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { iam?: { userArn?: string }; jwt?: { claims?: Record<string, unknown> } };
  };
  pathParameters?: Record<string, string | undefined>;
};
export type HttpResult = Exclude<APIGatewayProxyResultV2, string>;

/** An error with an HTTP status and a message meant for the caller. */
export class HttpError extends KanariError {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult => ({
  statusCode: status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** The JSON body, or a 400 that says it is not JSON. */
export const jsonBody = (event: HttpEvent): unknown => {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
};

/** Maps named errors to responses, in one place for the HTTP edge. */
export const httpErrors = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: (request) => {
    const error = request.error;
    if (error instanceof HttpError) {
      request.response = json(error.status, { error: error.message, ...error.details });
    } else if (error instanceof RolloutNotFoundError) {
      request.response = json(404, { error: error.message });
    } else if (error instanceof ActionNotAllowedError) {
      request.response = json(409, {
        error: error.message,
        phase: error.phase,
        action: error.action,
      });
    } else if (error instanceof LifecycleConflictError) {
      request.response = json(409, {
        error: error.message,
        phase: error.phase,
        ...(error.unsafeFields.length > 0 ? { unsafeFields: error.unsafeFields } : {}),
      });
    } else if (error instanceof PreflightRefusedError) {
      request.response = json(422, {
        error: error.message,
        problems: error.problems,
        warnings: error.warnings.map((w) => w.message),
      });
    } else if (error instanceof ReasonRequiredError || error instanceof InvalidCursorError) {
      request.response = json(400, { error: error.message });
    } else if (error instanceof TargetOwnedError) {
      request.response = json(409, { error: error.message, owner: error.owner });
    } else if (
      error instanceof RolloutExistsError ||
      error instanceof RolloutVersionConflictError
    ) {
      request.response = json(409, { error: error.message });
    } else if ((error as { statusCode?: number })?.statusCode === 404) {
      request.response = json(404, { error: 'no such route' });
    } else {
      logError('unhandled error', {
        error: (error as Error)?.name,
        detail: (error as Error)?.message,
      });
      request.response = json(500, { error: 'internal error' });
    }
  },
});
