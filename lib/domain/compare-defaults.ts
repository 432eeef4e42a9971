/**
 * The compare judge's defaults, in one place (issue 8 §9): the judge in analyze, `kanari judge
 * replay`, `kanari judge backtest` and bench:judge all read them from here. docs/judges.md
 * ("Replay and the benchmark") says what they assume and how they were measured.
 */
export interface CompareDefaults {
  /** The rollout's α, split evenly across its compare tests. */
  alpha: number;
  /** Non-inferior when the confidence sequence's upper end for ρ is below it. */
  tolerance: number;
  /** Prior concentration of the one-sided Beta mixture behind the regression e-value. */
  k: number;
  /** Prior concentration of the two-sided mixture behind the confidence sequence for ρ. */
  intervalK: number;
  /** Rare events: non-inferior when the canary's rate is bounded within this of the primary's. */
  rareMargin: number;
  /** Canary requests needed at the current step before non-inferior may promote. */
  minRequests: number;
}

export const DEFAULT_COMPARE: Readonly<CompareDefaults> = Object.freeze({
  alpha: 0.01,
  tolerance: 1.5,
  k: 30,
  intervalK: 300,
  rareMargin: 0.002,
  minRequests: 1000,
});
