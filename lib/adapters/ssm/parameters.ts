// Types only: the SDK's shapes, erased at build, so no SDK code is bundled.
import type { GetParametersRequest, GetParametersResult } from '@aws-sdk/client-ssm';
import { KanariError } from '../../ports/errors.ts';
import { type AwsJsonCall, type AwsJsonClientOptions, awsJsonClient } from '../aws-json.ts';

/** SSM would not give a parameter: it does not exist, or reading it was refused. */
export class ParameterError extends KanariError {}

/** SSM's GetParameters caps the names of one call at 10. */
const MAX_NAMES = 10;

/**
 * Reads SSM parameters, SecureStrings decrypted, over SSM's JSON 1.1 protocol
 * (lib/adapters/aws-json.ts), and keeps them for `ttlMs`, so a rotated secret is
 * picked up after at most that long. A name SSM does not know is a ParameterError.
 */
export const ssmParameters = (
  options: AwsJsonClientOptions & { ttlMs: number; now?: () => number },
  call: AwsJsonCall = awsJsonClient(
    { signingName: 'ssm', targetPrefix: 'AmazonSSM', jsonVersion: '1.1' },
    options,
  ),
) => {
  const now = options.now ?? Date.now;
  let cached: { at: number; values: Promise<Record<string, string>> } | undefined;
  const fetch = async (names: string[]): Promise<Record<string, string>> => {
    const values: Record<string, string> = {};
    for (let start = 0; start < names.length; start += MAX_NAMES) {
      const request: GetParametersRequest = {
        Names: names.slice(start, start + MAX_NAMES),
        WithDecryption: true,
      };
      const { Parameters = [], InvalidParameters = [] } = await call<GetParametersResult>(
        'GetParameters',
        request,
      );
      if (InvalidParameters.length > 0)
        throw new ParameterError(`SSM has no parameter ${InvalidParameters.join(', ')}`);
      for (const { Name, Value } of Parameters)
        if (Name !== undefined && Value !== undefined) values[Name] = Value;
    }
    return values;
  };
  /** The values of `names`, all read in one go and cached together. */
  return (names: string[]): Promise<Record<string, string>> => {
    if (!cached || now() - cached.at >= options.ttlMs) {
      const values = fetch(names);
      cached = { at: now(), values };
      // A failed read is not kept: the next request asks again.
      values.catch(() => {
        if (cached?.values === values) cached = undefined;
      });
    }
    return cached.values;
  };
};
