import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The AWS SDK's default credential chain, as the Lambda bundles have it (serverless.yml
 * custom.esbuild.alias puts this module in place of @aws-sdk/credential-provider-node).
 * Lambda hands every function its role's credentials in the environment, so the rest of the
 * chain (SSO, profiles, STS web identity, instance metadata) is never reached there; leaving it
 * out of the bundles takes about 20 ms off each cold start. The sandbox sets credentials in the
 * environment too. Outside the bundles (the CLI, tests) the SDK's own chain is used.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
