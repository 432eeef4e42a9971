import type { DriftRecord } from './drift.ts';
import type { CheckResult } from './judge.ts';
import type { Weights } from './routes.ts';

/** Who or what caused a decision. */
export type Cause =
  | { type: 'scheduler' }
  | { type: 'analysis' }
  | {
      type: 'alert';
      source: string;
      /** Alertmanager fingerprint, Grafana fingerprint or CloudWatch alarm ARN. */
      id: string;
      name: string;
      labels: Record<string, string>;
    }
  | { type: 'operator'; actor: string; reason: string };

export const DETAIL_TYPES = [
  'Rollout Started',
  'Analysis Completed',
  'Step Promotion Requested',
  'Rollout Promotion Requested',
  'Rollback Requested',
  'Pause Requested',
  'Resume Requested',
  'Abort Requested',
  'Finalize Requested',
  'Traffic Shifted',
  'Rollout Succeeded',
  'Rollout Rolled Back',
  'Rollout Failed',
  'Drift Detected',
] as const;

export type DetailType = (typeof DETAIL_TYPES)[number];

/** The detail-types that ask shift-traffic to move weights. */
export const TRAFFIC_REQUESTS: readonly DetailType[] = [
  'Step Promotion Requested',
  'Rollout Promotion Requested',
  'Rollback Requested',
  'Abort Requested',
  'Finalize Requested',
];

/** What every event detail carries. */
export interface EventDetail {
  rolloutId: string;
  revision: number;
  /** The state version the decision was based on. */
  stateVersion: number;
  /** Idempotency key: the same decision delivered twice has the same id. */
  decisionId: string;
  cause: Cause;
  phase: string;
  targetWeight?: number;
  weights?: Weights;
  check?: CheckResult;
  reason?: string;
  /** `Drift Detected`: what kanari applied, what the cluster has, and what kanari did. */
  drift?: DriftRecord;
}

export interface KanariEvent {
  detailType: DetailType;
  detail: EventDetail;
}
