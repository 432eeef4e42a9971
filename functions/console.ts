import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import { ConsoleBundleMissingError, consoleAssets } from '../console/assets.ts';
import { CONSOLE_CSP, consolePage } from '../console/page.ts';
import { isOperatorAction, OPERATOR_ACTIONS, operatorAction } from '../lib/app/operator-action.ts';
import { type PreflightDeps, preflightGate, runPreflight } from '../lib/app/preflight.ts';
import { startRollout } from '../lib/app/start-rollout.ts';
import { describeEntry } from '../lib/domain/describe.ts';
import { PHASES, type Phase } from '../lib/domain/phase.ts';
import { summarizeRevisions } from '../lib/domain/revisions.ts';
import type { LedgerEntry, RolloutState } from '../lib/domain/state.ts';
import { weightPlan } from '../lib/domain/weight-plan.ts';
import { RolloutNotFoundError } from '../lib/ports/errors.ts';
import { parseActionBody } from '../lib/schemas/console-api.ts';
import { clusterName, dnsLabel } from '../lib/schemas/limits.ts';
import type * as z from '../lib/schemas/mini.ts';
import { authenticated, type Route } from './shared/auth.ts';
import {
  HttpError,
  type HttpEvent,
  type HttpResult,
  httpErrors,
  json,
  jsonBody,
} from './shared/http.ts';
import { logging } from './shared/middleware.ts';
import { tracing } from './shared/tracing.ts';
import { config, consoleDeps } from './shared/wiring.ts';

const deps = consoleDeps();

/** A path or query parameter checked against the spec's own limits: a 400 names it. */
const checked = (
  field: string,
  schema: z.ZodMiniType<string>,
  value: string | undefined,
): string => {
  const parsed = schema.safeParse(value ?? '');
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'invalid';
    throw new HttpError(400, `${field}: ${message}`);
  }
  return parsed.data;
};

const idOf = (event: HttpEvent): string => {
  const { cluster, namespace, name } = event.pathParameters ?? {};
  return [
    checked('cluster', clusterName, cluster),
    checked('namespace', dnsLabel('namespace'), namespace),
    checked('name', dnsLabel('name'), name),
  ].join('/');
};

/** Each entry with a line in plain language beside the data it came from. */
const described = (state: RolloutState, entries: LedgerEntry[]) => {
  const plan = weightPlan(state.spec.analysis);
  return entries.map((entry) => ({ ...entry, description: describeEntry(entry, { plan }) }));
};

// Kubernetes and Prometheus clients are loaded on the first create, so read routes stay light.
let preflight: Promise<PreflightDeps> | undefined;
const preflightDeps = (): Promise<PreflightDeps> => {
  preflight ??= import('./shared/preflight-wiring.ts')
    .then((live) => live.preflightDeps())
    .catch((error: unknown) => {
      // A bad configuration is reported on every create, not cached as a rejected promise; it
      // is the deployment's fault, not the request's, and the message names the setting.
      preflight = undefined;
      throw new HttpError(
        503,
        `kanari cannot run its preflight checks: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  return preflight;
};

/**
 * The request's spec, checked. The spec schema (with RE2, which compiles its label regexes) is
 * loaded on the first create or preflight, like the preflight clients, so that a cold start
 * that only reads does not build it.
 */
const specOf = async (event: HttpEvent) => {
  const body = jsonBody(event);
  const { parseRolloutSpec } = await import('../lib/schemas/rollout-spec.ts');
  const parsed = parseRolloutSpec(body);
  if (!parsed.ok) throw new HttpError(400, 'invalid rollout spec', { problems: parsed.problems });
  return parsed.spec;
};

const createRollout = async (event: HttpEvent, actor: string): Promise<HttpResult> => {
  const spec = await specOf(event);
  const result = await startRollout(
    deps,
    spec,
    { type: 'operator', actor, reason: 'rollout created' },
    { preflight: preflightGate(await preflightDeps()) },
  );
  return json(result.outcome === 'started' ? 201 : 200, {
    rollout: result.state,
    outcome: result.outcome,
    warnings: result.warnings,
  });
};

/** The checks `POST /rollouts` makes before any traffic moves; writes nothing. */
const preflightRollout = async (event: HttpEvent): Promise<HttpResult> => {
  const report = await runPreflight(await preflightDeps(), await specOf(event));
  return json(200, { ok: report.problems.length === 0, ...report });
};

const listRollouts = async (event: HttpEvent): Promise<HttpResult> => {
  const query = event.queryStringParameters ?? {};
  if (query.phase && !PHASES.includes(query.phase as Phase)) {
    throw new HttpError(400, `phase: must be one of ${PHASES.join(', ')}`);
  }
  const rollouts = await deps.store.list({
    ...(query.phase ? { phase: query.phase as Phase } : {}),
    ...(query.cluster ? { cluster: checked('cluster', clusterName, query.cluster) } : {}),
    ...(query.namespace
      ? { namespace: checked('namespace', dnsLabel('namespace'), query.namespace) }
      : {}),
  });
  return json(200, { rollouts });
};

const getRollout = async (event: HttpEvent): Promise<HttpResult> => {
  const id = idOf(event);
  const state = await deps.store.get(id);
  if (!state) throw new RolloutNotFoundError(`rollout ${id} not found`);
  const limit = Number(event.queryStringParameters?.limit ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new HttpError(400, 'limit: must be an integer from 1 to 1000');
  const cursor = event.queryStringParameters?.cursor;
  const ledger = await deps.store.ledger(id, { limit, ...(cursor ? { cursor } : {}) });
  return json(200, {
    rollout: state,
    plan: weightPlan(state.spec.analysis),
    ledger: { ...ledger, entries: described(state, ledger.entries) },
  });
};

const act = async (event: HttpEvent, actor: string): Promise<HttpResult> => {
  const action = event.pathParameters?.action ?? '';
  if (!isOperatorAction(action))
    throw new HttpError(400, `action: must be one of ${OPERATOR_ACTIONS.join(', ')}`);
  const parsed = parseActionBody(jsonBody(event), action);
  if (!parsed.ok) {
    const [first] = parsed.problems;
    throw new HttpError(400, `${first?.path}: ${first?.message}`, { problems: parsed.problems });
  }
  const { reason, full } = parsed.body;
  const result = await operatorAction(deps, idOf(event), action, {
    actor,
    reason,
    ...(full !== undefined ? { full } : {}),
  });
  return json(200, { rollout: result.state, entry: described(result.state, [result.entry])[0] });
};

/** Every revision of a rollout, newest first: outcome, duration, who started and ended it. */
const listRevisions = async (event: HttpEvent): Promise<HttpResult> => {
  const id = idOf(event);
  const state = await deps.store.get(id);
  if (!state) throw new RolloutNotFoundError(`rollout ${id} not found`);
  const entries: LedgerEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.ledger(id, { limit: 1000, ...(cursor ? { cursor } : {}) });
    entries.push(...page.entries);
    cursor = page.cursor;
  } while (cursor);
  return json(200, { revisions: summarizeRevisions(state, entries, new Date()) });
};

const assets = async () => {
  try {
    return await consoleAssets();
  } catch (error) {
    if (error instanceof ConsoleBundleMissingError) throw new HttpError(503, error.message);
    throw error;
  }
};

const PAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': CONSOLE_CSP,
};

/** The web console: one page that talks to this API with a bearer token. It holds no data. */
const page = async (): Promise<HttpResult> => ({
  statusCode: 200,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache',
    ...PAGE_HEADERS,
  },
  body: consolePage((await assets()).version),
});

/** The page's bundled script and stylesheet (console/client), public like the page. */
const asset = (kind: 'js' | 'css') => async (): Promise<HttpResult> => {
  const bundle = await assets();
  return {
    statusCode: 200,
    headers: {
      'content-type': kind === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      'cache-control': 'no-cache',
      ...PAGE_HEADERS,
    },
    body: bundle[kind],
  };
};

const ROLLOUT = '/rollouts/{cluster}/{namespace}/{name}';

/** Every route of the HTTP API; serverless.yml declares the same ones (a test compares them). */
export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/', public: true, handler: page },
  { method: 'GET', path: '/app.js', public: true, handler: asset('js') },
  { method: 'GET', path: '/app.css', public: true, handler: asset('css') },
  { method: 'POST', path: '/rollouts', handler: createRollout },
  { method: 'POST', path: '/rollouts/preflight', handler: preflightRollout },
  { method: 'GET', path: '/rollouts', handler: listRollouts },
  { method: 'GET', path: ROLLOUT, handler: getRollout },
  { method: 'GET', path: `${ROLLOUT}/revisions`, handler: listRevisions },
  { method: 'POST', path: `${ROLLOUT}/actions/{action}`, handler: act },
];

/** The HTTP API (rollouts, their ledgers, operator actions) and the console page. */
export const handler = middy<HttpEvent, HttpResult>()
  .use(logging('console'))
  .use(tracing())
  .use(httpErrors())
  .handler(httpRouterHandler(authenticated(ROUTES, config.KANARI_API_TOKENS)) as never);
