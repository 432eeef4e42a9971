/** The closed set of rollout phases. */
export const PHASES = [
  'Pending',
  'Progressing',
  'Paused',
  'WaitingPromotion',
  'RollingBack',
  'Succeeded',
  'RolledBack',
  'Failed',
  'Aborted',
] as const;

export type Phase = (typeof PHASES)[number];

export const TERMINAL_PHASES: readonly Phase[] = ['Succeeded', 'RolledBack', 'Failed', 'Aborted'];

export const isTerminal = (phase: Phase): boolean => TERMINAL_PHASES.includes(phase);

/** Phases the scheduler looks at: it judges Progressing rollouts and re-sends stuck decisions. */
export const SCHEDULED_PHASES: readonly Phase[] = [
  'Pending',
  'Progressing',
  'WaitingPromotion',
  'RollingBack',
];
