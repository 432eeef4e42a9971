const TOKEN_KEY = 'kanari.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.error === 'string' ? body.error : `HTTP ${status}`);
  }
}

let token = sessionStorage.getItem(TOKEN_KEY) ?? '';

export const hasToken = (): boolean => token.length > 0;

export const setToken = (value: string): void => {
  token = value;
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
};

/**
 * A link like `…/#token=abc` logs in by itself: the token goes to sessionStorage and the
 * fragment is stripped from the address bar and history at once. A fragment never reaches a
 * server or its logs, unlike a query string.
 */
export const takeTokenFromFragment = (): boolean => {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return false;
  setToken(decodeURIComponent(match[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  return true;
};

let onUnauthorized: (message: string) => void = () => {};
export const whenUnauthorized = (handler: (message: string) => void): void => {
  onUnauthorized = handler;
};

export const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const headers: Record<string, string> = {
    accept: 'application/json',
    authorization: `Bearer ${token}`,
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let data: Record<string, unknown> = {};
  try {
    data = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    data = { error: text.slice(0, 200) };
  }
  if (response.status === 401 || response.status === 403) {
    onUnauthorized(
      response.status === 403
        ? 'This API refused the token (403). A browser cannot sign for the IAM authorizer: use the JWT authorizer, or the kanari CLI.'
        : `The token was not accepted: ${String(data.error ?? 'unauthorized')}`,
    );
    throw new ApiError(response.status, data);
  }
  if (!response.ok || typeof data.errorMessage === 'string') {
    throw new ApiError(
      response.status,
      data.error ? data : { error: String(data.errorMessage ?? response.statusText) },
    );
  }
  return data as T;
};

export const rolloutPath = (id: string): string =>
  `rollouts/${id.split('/').map(encodeURIComponent).join('/')}`;
