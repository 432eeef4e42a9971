import type { InvokeAsync } from '../../ports/dead-letter-queue.ts';
import { type AwsRestCall, type AwsRestClientOptions, awsRestClient } from '../aws-rest.ts';

/**
 * Lambda's Invoke with `X-Amz-Invocation-Type: Event`: queued for the function as EventBridge
 * queues it, so a failure goes through the function's retries and on-failure destination again.
 */
export const lambdaInvokeAsync = (
  functionName: string,
  options: AwsRestClientOptions,
  call: AwsRestCall = awsRestClient('lambda', options),
): InvokeAsync => {
  const path = `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
  return async (event) => {
    try {
      await call('POST', path, {
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' },
        body: JSON.stringify(event),
      });
    } catch (error) {
      const status = (error as { status?: number }).status;
      throw new Error(
        `Invoke ${functionName} answered ${status ? `HTTP ${status}` : 'nothing'}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
};
