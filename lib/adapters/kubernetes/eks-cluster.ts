import {
  TrafficForbiddenError,
  TrafficTargetNotFoundError,
  TrafficUnavailableError,
} from '../../ports/errors.ts';
import { AwsServiceError, isTransientAwsError } from '../aws-json.ts';
import { type AwsRestCall, type AwsRestClientOptions, awsRestClient } from '../aws-rest.ts';

/** Where an EKS cluster's API is, and the CA its certificate is signed by. */
export interface EksEndpoint {
  server: string;
  ca: Buffer;
}

interface DescribeClusterResponse {
  cluster?: { endpoint?: string; certificateAuthority?: { data?: string }; status?: string };
}

/**
 * The endpoint and CA of one EKS cluster from `eks:DescribeCluster`, asked on each call: the
 * cluster's client (kube-http.ts, `lookup`) asks once, keeps the answer for the life of the
 * process and asks again after a failure. Failures are named as the traffic port names them:
 * a cluster EKS does not know, a refusal, or EKS not answering.
 */
export const eksClusterEndpoint = (
  clusterName: string,
  options: AwsRestClientOptions,
  call: AwsRestCall = awsRestClient('eks', options),
): (() => Promise<EksEndpoint>) => {
  const what = `eks:DescribeCluster ${clusterName} in ${options.region}`;
  return async (): Promise<EksEndpoint> => {
    let answer: DescribeClusterResponse;
    try {
      answer = JSON.parse(
        (await call('GET', `/clusters/${encodeURIComponent(clusterName)}`)).text,
      ) as DescribeClusterResponse;
    } catch (error) {
      const message = `${what}: ${(error as Error).message}`;
      if (error instanceof AwsServiceError && error.name === 'ResourceNotFoundException')
        throw new TrafficTargetNotFoundError(message, { cause: error });
      if (error instanceof AwsServiceError && (error.status === 401 || error.status === 403))
        throw new TrafficForbiddenError(message, { cause: error });
      if (isTransientAwsError(error) || !(error instanceof AwsServiceError))
        throw new TrafficUnavailableError(message, { cause: error });
      throw new Error(message, { cause: error });
    }
    const server = answer.cluster?.endpoint;
    const ca = answer.cluster?.certificateAuthority?.data;
    if (!server || !ca)
      throw new TrafficUnavailableError(
        `${what}: the cluster has no endpoint or CA yet (status ${answer.cluster?.status ?? 'unknown'})`,
      );
    return { server, ca: Buffer.from(ca, 'base64') };
  };
};
