import { MannWhitneyInputError, mannWhitney } from '../../lib/domain/stats/mann-whitney.ts';
import { parseMannWhitneyInput } from '../../lib/schemas/stats-mann-whitney.ts';
import { CliError } from '../errors.ts';

export const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** JSON has no Infinity: the open end of a one-sided interval prints as null. */
const finiteOrNull = (value: number | null): number | null =>
  value !== null && Number.isFinite(value) ? value : null;

/**
 * The whole command on text: parses the JSON input, runs the test, and returns the output line.
 * Throws CliError with one line naming the field on any bad input.
 */
export const runMannWhitney = (text: string): string => {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new CliError(`stdin is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = parseMannWhitneyInput(document);
  if (!parsed.ok) throw new CliError(`invalid input: ${parsed.problem}`);
  try {
    const r = mannWhitney(parsed.input);
    const output = {
      u: r.u,
      z: finiteOrNull(r.z),
      p: r.p,
      estimate: r.estimate,
      ciLow: finiteOrNull(r.ciLow),
      ciHigh: finiteOrNull(r.ciHigh),
    };
    return `${JSON.stringify(output)}\n`;
  } catch (error) {
    if (error instanceof MannWhitneyInputError)
      throw new CliError(`invalid input: ${error.message}`);
    throw error;
  }
};
