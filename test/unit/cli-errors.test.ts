import { describe, expect, it } from 'vitest';
import { ApiError } from '../../cli/api-client.ts';
import { explainApiError, isApiError } from '../../cli/api-errors.ts';
import { driftLine, heartbeat } from '../../cli/commands/rollouts.ts';
import {
  CliError,
  EXIT,
  exitCodeForStatus,
  exitCodeOfCommander,
  isCliError,
  UsageError,
} from '../../cli/errors.ts';
import { oneLine } from '../../cli/main.ts';
import { rolloutState } from '../support/rollout-fixtures.ts';

describe('exit codes', () => {
  it('map each API answer to its own code', () => {
    expect(exitCodeForStatus(0)).toBe(EXIT.unreachable);
    expect(exitCodeForStatus(401)).toBe(EXIT.auth);
    expect(exitCodeForStatus(403)).toBe(EXIT.auth);
    expect(exitCodeForStatus(404)).toBe(EXIT.notFound);
    expect(exitCodeForStatus(409)).toBe(EXIT.conflict);
    expect(exitCodeForStatus(422)).toBe(EXIT.general);
    expect(exitCodeForStatus(500)).toBe(EXIT.general);
    expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length);
  });

  it('carry the code on the explained error, with a message to act on', () => {
    const refused = explainApiError(new ApiError(401, 'invalid credentials'));
    expect(refused).toBeInstanceOf(CliError);
    expect(refused.exitCode).toBe(5);
    expect(refused.message).toContain('check --token, KANARI_TOKEN or the config file');
    const conflict = explainApiError(new ApiError(409, 'cannot resume', { phase: 'Aborted' }));
    expect([conflict.exitCode, conflict.message]).toEqual([
      4,
      'cannot resume (current phase: Aborted)',
    ]);
  });

  it("give commander's help and --version 0 and its errors 2", () => {
    expect(exitCodeOfCommander('commander.helpDisplayed', 0)).toBe(0);
    expect(exitCodeOfCommander('commander.version', 0)).toBe(0);
    expect(exitCodeOfCommander('commander.unknownCommand', 1)).toBe(2);
    expect(exitCodeOfCommander('commander.missingMandatoryOptionValue', 1)).toBe(2);
    expect(new UsageError('x').exitCode).toBe(2);
  });

  it('know CliError and ApiError made by a separately loaded copy of their module (the sandbox)', () => {
    const copy = Object.assign(new Error('boom'), { name: 'CliError', exitCode: 3 });
    expect(isCliError(copy)).toBe(true);
    expect(isCliError(new Error('plain'))).toBe(false);
    expect(
      isApiError(Object.assign(new Error('x'), { name: 'ApiError', status: 404, body: {} })),
    ).toBe(true);
  });

  it("put commander's errors on one line, the suggestion included", () => {
    expect(oneLine("error: unknown command 'gte'\n(Did you mean get?)\n")).toBe(
      "kanari: unknown command 'gte'; did you mean get?\n",
    );
    expect(oneLine("error: required option '--reason <text>' not specified\n")).toBe(
      "kanari: required option '--reason <text>' not specified\n",
    );
  });
});

describe('what get and watch say', () => {
  it('describe drift with both weights, the time in UTC and what kanari did', () => {
    const drift = {
      applied: { primary: 90, canary: 10 },
      observed: { primary: 100, canary: 0 },
      detectedAt: '2026-12-02T14:03:05Z',
    };
    expect(driftLine({ drift: { ...drift, action: 'pause' } })).toBe(
      'kanari applied primary 90% · canary 10%, cluster has primary 100% · canary 0%, noticed 2026-12-02 14:03:05 UTC (paused)',
    );
    expect(driftLine({ drift: { ...drift, action: 'reapply' } })).toMatch(/\(re-applied\)$/);
    expect(driftLine({})).toBeUndefined();
  });

  it('give the heartbeat the wait until the next check, or what else the rollout waits for', () => {
    const now = Date.parse('2030-01-01T12:00:00Z');
    const state = rolloutState('prod/shop/cart', { nextCheckAt: '2030-01-01T12:00:25Z' });
    expect(heartbeat(state, now)).toBe('next check in 25 s (step 1 of 5, canary 10%)');
    expect(heartbeat({ ...state, nextCheckAt: '2030-01-01T11:59:00Z' }, now)).toBe(
      'check due now (step 1 of 5, canary 10%)',
    );
    expect(heartbeat({ ...state, phase: 'Paused' }, now)).toMatch(
      /^paused \(step 1 of 5, canary 10%\); kanari resume prod\/shop\/cart --reason/,
    );
  });
});
