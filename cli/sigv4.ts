import { fetchSigner } from '../lib/adapters/sigv4.ts';
import type { ApiClientOptions } from './api-client.ts';

/**
 * Signs requests to the HTTP API's IAM authorizer (service `execute-api`) with the AWS SDK's
 * default credential chain: environment, SSO, shared config, web identity, ECS, IMDS.
 */
export const executeApiSigner = (region: string): NonNullable<ApiClientOptions['sign']> =>
  fetchSigner('execute-api', region);
