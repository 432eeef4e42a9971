import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import { startRollout } from '../lib/app/start-rollout.ts';
import { PHASES, type Phase } from '../lib/domain/phase.ts';
import { RolloutNotFoundError } from '../lib/ports/errors.ts';
import { parseRolloutSpec } from '../lib/schemas/rollout-spec.ts';
import {
  actorOf,
  HttpError,
  type HttpEvent,
  type HttpResult,
  httpErrors,
  json,
  jsonBody,
} from './shared/http.ts';
import { logging } from './shared/middleware.ts';
import { config, consoleDeps } from './shared/wiring.ts';

const deps = consoleDeps();

const idOf = (event: HttpEvent): string => {
  const { cluster, namespace, name } = event.pathParameters ?? {};
  return `${cluster}/${namespace}/${name}`;
};

const createRollout = async (event: HttpEvent): Promise<HttpResult> => {
  const actor = actorOf(event, config.KANARI_API_TOKENS);
  const parsed = parseRolloutSpec(jsonBody(event));
  if (!parsed.ok) throw new HttpError(400, 'invalid rollout spec', { problems: parsed.problems });
  const state = await startRollout(deps, parsed.spec, {
    type: 'operator',
    actor,
    reason: 'rollout created',
  });
  return json(201, { rollout: state });
};

const listRollouts = async (event: HttpEvent): Promise<HttpResult> => {
  actorOf(event, config.KANARI_API_TOKENS);
  const query = event.queryStringParameters ?? {};
  if (query.phase && !PHASES.includes(query.phase as Phase)) {
    throw new HttpError(400, `phase: must be one of ${PHASES.join(', ')}`);
  }
  const rollouts = await deps.store.list({
    ...(query.phase ? { phase: query.phase as Phase } : {}),
    ...(query.cluster ? { cluster: query.cluster } : {}),
    ...(query.namespace ? { namespace: query.namespace } : {}),
  });
  return json(200, { rollouts });
};

const getRollout = async (event: HttpEvent): Promise<HttpResult> => {
  actorOf(event, config.KANARI_API_TOKENS);
  const id = idOf(event);
  const state = await deps.store.get(id);
  if (!state) throw new RolloutNotFoundError(`rollout ${id} not found`);
  const limit = Number(event.queryStringParameters?.limit ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new HttpError(400, 'limit: must be an integer from 1 to 1000');
  const cursor = event.queryStringParameters?.cursor;
  const ledger = await deps.store.ledger(id, { limit, ...(cursor ? { cursor } : {}) });
  return json(200, { rollout: state, ledger });
};

const ROLLOUT = '/rollouts/{cluster}/{namespace}/{name}';

/** The HTTP API: rollouts and their ledgers. */
export const handler = middy<HttpEvent, HttpResult>()
  .use(logging('console'))
  .use(httpErrors())
  .handler(
    httpRouterHandler([
      { method: 'POST', path: '/rollouts', handler: createRollout },
      { method: 'GET', path: '/rollouts', handler: listRollouts },
      { method: 'GET', path: ROLLOUT, handler: getRollout },
    ]) as never,
  );
