import middy from '@middy/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpError, type HttpEvent, httpErrors } from '../../functions/shared/http.ts';
import { logger } from '../../functions/shared/log.ts';
import { logging } from '../../functions/shared/middleware.ts';
import { RolloutExistsError } from '../../lib/ports/errors.ts';

const failing = (fail: () => never) =>
  middy<HttpEvent, unknown>()
    .use(logging('console'))
    .use(httpErrors())
    .handler(async () => fail());

/** Who logged `invocation failed`: the Logger's info or error. */
const failedAt = async (fail: () => never) => {
  const info = vi.spyOn(logger, 'info').mockImplementation(() => {});
  const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
  const response = await failing(fail)({} as HttpEvent, {} as never);
  const at = (spy: typeof info) =>
    spy.mock.calls
      .filter(([message]) => message === 'invocation failed')
      .map(([, fields]) => fields);
  return { response, info: at(info), error: at(error) };
};

afterEach(() => vi.restoreAllMocks());

describe('log levels', () => {
  it('logs a refused request (a 4xx) at INFO, and a failure that is kanari’s at ERROR', async () => {
    const refused = await failedAt(() => {
      throw new HttpError(400, 'bad spec');
    });
    expect(refused.response).toMatchObject({ statusCode: 400 });
    expect(refused.info).toEqual([{ error: 'HttpError', detail: 'bad spec' }]);
    expect(refused.error).toEqual([]);
    vi.restoreAllMocks();
    // An error with no status of its own, that httpErrors answers with a 409.
    const exists = await failedAt(() => {
      throw new RolloutExistsError('rollout sandbox/default/my-service exists');
    });
    expect(exists.response).toMatchObject({ statusCode: 409 });
    expect(exists.info).toHaveLength(1);
    expect(exists.error).toEqual([]);
    vi.restoreAllMocks();
    const broken = await failedAt(() => {
      throw new Error('the table is gone');
    });
    expect(broken.response).toMatchObject({ statusCode: 500 });
    expect(broken.error).toEqual([{ error: 'Error', detail: 'the table is gone' }]);
    expect(broken.info).toEqual([]);
  });
});
