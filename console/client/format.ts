import type { DriftRecord } from '../../lib/domain/drift.ts';
import type { Cause } from '../../lib/domain/events.ts';

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * An instant with its date and zone, e.g. `2026-12-02 14:03:05 UTC`: the browser's zone unless
 * `timeZone` says otherwise. Ledger lines are read across days and teams; a bare time is not enough.
 */
export const formatInstant = (iso: string, timeZone?: string): string => {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('en-US', {
    ...(timeZone ? { timeZone } : {}),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')} ${part('timeZoneName')}`;
};

/** A duration in the largest two units, e.g. `2 h 05 min`, `3 min 20 s`, `45 s`. */
export const formatDuration = (ms: number): string => {
  const total = Math.max(0, Math.round(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) return `${days} d ${two(hours)} h`;
  if (hours > 0) return `${hours} h ${two(minutes)} min`;
  if (minutes > 0) return `${minutes} min ${two(seconds)} s`;
  return `${seconds} s`;
};

/** How long ago, kubectl-style: `45s`, `12m`, `3h`, `2d`. */
export const formatAge = (iso: string, now: number): string => {
  const seconds = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
};

/** `next check in 25 s`, `next check due now`. */
export const formatCountdown = (nextCheckAt: string, now: number): string => {
  const ms = Date.parse(nextCheckAt) - now;
  if (Number.isNaN(ms)) return '';
  return ms <= 1000 ? 'next check due now' : `next check in ${formatDuration(ms)}`;
};

/** Who or what caused something, in a few words. */
export const describeCause = (cause: Cause | undefined): string => {
  if (!cause) return 'unknown';
  switch (cause.type) {
    case 'operator':
      return `${cause.actor} ("${cause.reason}")`;
    case 'alert':
      return `alert ${cause.name} (${cause.source})`;
    case 'analysis':
      return 'analysis';
    case 'scheduler':
      return 'scheduler';
  }
};

/** What kanari applied, what the cluster has, and when kanari noticed. */
export const driftText = (drift: DriftRecord, timeZone?: string): string =>
  `kanari applied ${drift.applied.primary}/${drift.applied.canary}, cluster has ${drift.observed.primary}/${drift.observed.canary} (primary/canary), noticed at ${formatInstant(drift.detectedAt, timeZone)}` +
  (drift.action === 'reapply' ? '; kanari re-applied its weights.' : '; the rollout is paused.');
