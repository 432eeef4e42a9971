import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import type { LedgerEntry, RolloutState } from '../../lib/domain/state.ts';

/** Builders of rollout states and ledger entries for store tests, around a fixed instant. */
export const T0 = Date.parse('2030-01-01T12:00:00.000Z');
export const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
export const NOW = new Date(T0);

const spec = (cluster: string, namespace: string, name: string): RolloutSpec => ({
  name,
  target: {
    cluster,
    namespace,
    virtualService: name,
    primary: { host: name },
    canary: { host: `${name}-v2` },
  },
  analysis: {
    interval: '1m',
    threshold: 2,
    progressDeadline: '10m',
    minSampleSize: 10,
    metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }],
  },
});

/** A state with no optional field set; `id` is `cluster/namespace/name`. */
export const rolloutState = (
  id = 'prod/shop/cart',
  overrides: Partial<RolloutState> = {},
): RolloutState => {
  const [cluster = 'prod', namespace = 'shop', name = 'cart'] = id.split('/');
  return {
    id,
    revision: 1,
    version: 1,
    phase: 'Progressing',
    spec: spec(cluster, namespace, name),
    canaryWeight: 10,
    stepIndex: 0,
    checks: 0,
    failedChecks: 0,
    nextCheckAt: at(-1),
    stepStartedAt: at(-10),
    createdAt: at(-10),
    updatedAt: at(-10),
    message: 'step 1 of 5',
    ...overrides,
  };
};

export const ledgerEntry = (
  state: Pick<RolloutState, 'id' | 'revision' | 'version' | 'phase'>,
  message: string,
  overrides: Partial<LedgerEntry> = {},
): LedgerEntry => ({
  rolloutId: state.id,
  revision: state.revision,
  stateVersion: state.version,
  at: at(0),
  kind: 'check',
  phase: state.phase,
  cause: { type: 'scheduler' },
  message,
  ...overrides,
});

/** Every optional field set, nested values of every JSON type. */
export const fullState = (): RolloutState => {
  const base = rolloutState('prod/shop/cart', { version: 4, phase: 'Progressing' });
  return {
    ...base,
    spec: {
      ...base.spec,
      target: {
        ...base.spec.target,
        route: 0,
        primary: { host: 'cart.shop.svc.cluster.local', subset: 'v1', workload: 'cart' },
        canary: { host: 'cart.shop.svc.cluster.local', subset: 'v2' },
      },
      analysis: {
        ...base.spec.analysis,
        stepWeights: [5, 10, 25, 50],
        maxWeight: 50,
        alpha: 0.02,
        onDeadline: 'rollback',
        scoreThresholds: { pass: 90, marginal: 70 },
        metrics: [
          {
            name: 'request-duration',
            interval: '2m',
            judge: { type: 'compare', tolerance: 1.3, bounds: [{ percentile: 50 }, { ms: 250 }] },
          },
          {
            name: 'errors',
            query: 'sum(rate(x{ns="{{ namespace }}"}[{{ interval }}]))',
            judge: { type: 'threshold' },
            thresholdRange: { min: 0, max: 1.5 },
          },
          {
            name: 'cpu',
            query: 'sum(rate(cpu{ns="{{ namespace }}"}[{{ interval }}]))',
            judge: {
              type: 'mann-whitney',
              direction: 'increase',
              effectSize: { measure: 'meanRatio', allowedIncrease: 1.1 },
              critical: true,
              nanStrategy: 'replace',
              group: 'saturation',
              weight: 2,
            },
          },
        ],
      },
    },
    // The compare judge's memory: nulls, fractional and negative numbers, an empty step.
    analysis: {
      stepStartedAt: at(-2),
      tests: {
        'request-duration@p50': {
          boundMs: 100,
          compare: {
            refShare: 0.0952,
            logLR: [-0.25, 0, 1.5e-9, 3.75],
            canary: { requests: 1200, bad: 14 },
            primary: { requests: 11000, bad: 96 },
            step: {
              canary: { requests: 0, bad: 0 },
              primary: { requests: 0, bad: 0 },
              firstT: null,
            },
            lastT: 1_767_225_590,
            lastBatchRequests: 0,
          },
        },
        'request-duration@250ms': {
          boundMs: null,
          compare: {
            refShare: null,
            logLR: [0, 0, 0, 0],
            canary: { requests: 0, bad: 0 },
            primary: { requests: 0, bad: 0 },
            step: {
              canary: { requests: 0, bad: 0 },
              primary: { requests: 0, bad: 0 },
              firstT: 1_767_225_580,
            },
            lastT: null,
            lastBatchRequests: 0,
          },
        },
      },
    },
    pending: {
      decisionId: 'd-1',
      action: 'rollback',
      detailType: 'Rollback Requested',
      targetWeight: 0,
      stepIndex: -1,
      basedOnVersion: 3,
      requestedAt: at(-1),
      cause: {
        type: 'alert',
        source: 'alertmanager',
        id: 'fp-1',
        name: 'HighErrors',
        labels: { severity: 'page', team: '' },
      },
      onApplied: 'RolledBack',
      reason: 'alert fired',
    },
    pausedFrom: 'Progressing',
    quietMs: 90_000,
    finishedAt: at(0),
    drift: {
      applied: { primary: 75, canary: 25 },
      observed: { primary: 100, canary: 0 },
      detectedAt: at(-1),
      action: 'pause',
      resourceVersion: '41',
    },
    message: '',
  };
};

export const fullEntry = (state: RolloutState): LedgerEntry =>
  ledgerEntry(state, 'rolled back', {
    kind: 'applied',
    cause: { type: 'operator', actor: 'ana@example.com', reason: 'bad canary' },
    decision: { decisionId: 'd-1', action: 'rollback', fromWeight: 25, targetWeight: 0 },
    check: {
      weight: 25,
      verdict: 'inconclusive',
      metrics: [
        {
          name: 'errors',
          query: 'q',
          value: null,
          thresholdRange: {},
          sampleSize: 0,
          primarySampleSize: 0,
          minSampleSize: 10,
          waitingForTraffic: true,
          verdict: 'inconclusive',
          reason: 'waiting for traffic: no requests on canary or primary',
        },
        {
          name: 'latency',
          query: 'q2',
          value: 0.25,
          judge: 'threshold',
          thresholdRange: { max: 1 },
          verdict: 'pass',
          reason: 'ok',
        },
        {
          name: 'request-success-rate',
          query: '',
          value: 2.5,
          primaryValue: 0.4,
          judge: 'compare',
          evidence: {
            judge: 'compare',
            tests: [
              {
                key: 'request-success-rate',
                label: 'errors',
                alpha: 0.005,
                verdict: 'regression',
                canary: { requests: 400, bad: 10 },
                primary: { requests: 4000, bad: 16 },
                stepCanaryRequests: 400,
                theta0: 0.0909,
                logE: 6.2,
                eValue: 492.7,
                threshold: 200,
                rateRatio: 6.25,
                rhoLow: 2.1,
                rhoHigh: null,
                tolerance: 1.5,
                requestsNeeded: null,
                minutesNeeded: null,
                waitingForTraffic: false,
                reason: 'canary errors 6.3× primary',
              },
            ],
          },
          verdict: 'fail',
          reason: 'canary errors 6.3× primary',
        },
      ],
    },
    applied: {
      weights: { primary: 100, canary: 0 },
      resourceVersion: '42',
      patch: [
        { op: 'test', path: '/metadata/resourceVersion', value: '41' },
        { op: 'replace', path: '/spec/http/0/route/1/weight', value: 0 },
        { op: 'add', path: '/spec/http/1', value: { route: [{ destination: { host: 'cart' } }] } },
      ],
    },
    drift: {
      applied: { primary: 75, canary: 25 },
      observed: { primary: 90, canary: 10 },
      detectedAt: at(0),
      action: 'reapply',
    },
  });

export const next = (state: RolloutState, overrides: Partial<RolloutState> = {}): RolloutState => ({
  ...state,
  version: state.version + 1,
  ...overrides,
});
