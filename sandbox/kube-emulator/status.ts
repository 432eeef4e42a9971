/**
 * Kubernetes `Status` failures, worded as kube-apiserver words them (k8s.io/apimachinery
 * pkg/api/errors), so clients that branch on `reason` or match on `message` behave as they
 * would against a real cluster.
 */
export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

/** A field-level problem, as `field.Error` prints it: `<field>: <message>`. */
export interface FieldError {
  field: string;
  reason: string;
  message: string;
}

/** Thrown inside the emulator; the server turns it into a Status response. */
export class ApiError extends Error {
  readonly status: Status;

  constructor(status: Status) {
    super(status.message);
    this.name = 'ApiError';
    this.status = status;
  }

  get code(): number {
    return this.status.code;
  }
}

/** `virtualservices` in `networking.istio.io`. */
export interface GroupResource {
  group: string;
  resource: string;
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): ApiError {
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
  return new ApiError(status);
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function objectDetails(gr: GroupResource, name: string): StatusDetails {
  return { name, group: gr.group, kind: gr.resource };
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, objectDetails(gr, name));
}

/** An unknown path or resource type (the apiserver's generic 404 body). */
export function resourceNotFound(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return failure(
    409,
    'AlreadyExists',
    `${qualified(gr)} "${name}" already exists`,
    objectDetails(gr, name),
  );
}

export function conflict(gr: GroupResource, name: string): ApiError {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(gr)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    objectDetails(gr, name),
  );
}

/** 422 for an object that fails validation: `Kind.group "name" is invalid: <errors>`. */
export function invalid(
  gk: { group: string; kind: string },
  name: string,
  errors: FieldError[],
): ApiError {
  const lines = errors.map((e) => `${e.field}: ${e.message}`);
  const joined = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
  const qualifiedKind = gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
  return failure(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, {
    name,
    group: gk.group,
    kind: gk.kind,
    causes: errors.map((e) => ({ reason: e.reason, message: e.message, field: e.field })),
  });
}

/**
 * 422 for a JSON patch that cannot be applied (a failed `test` op included). The apiserver
 * builds it with NewGenericServerResponse and drops the patch library's own words, so the
 * message says nothing about which op failed.
 */
export function patchNotApplicable(): ApiError {
  return failure(
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
    {},
  );
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(gr: GroupResource, name: string, verb: string): ApiError {
  return failure(
    403,
    'Forbidden',
    `${qualified(gr)} "${name}" is forbidden: User "system:serviceaccount:kanari:kanari" cannot ${verb} resource "${gr.resource}" in API group "${gr.group}"`,
    objectDetails(gr, name),
  );
}

export function tooManyRequests(): ApiError {
  return failure(429, 'TooManyRequests', 'Too many requests, please try again later.', {});
}

export function serviceUnavailable(): ApiError {
  return failure(
    503,
    'ServiceUnavailable',
    'the server is currently unable to handle the request',
    {},
  );
}

export function methodNotAllowed(): ApiError {
  return failure(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
    {},
  );
}

export function unsupportedMediaType(accepted: string[]): ApiError {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function requestEntityTooLarge(limit: number): ApiError {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

export function internalError(message: string): ApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}

export function timeout(): ApiError {
  return failure(
    504,
    'Timeout',
    'the server was unable to return a response in the time allotted, but may still be processing the request',
    {},
  );
}
