// The EKS clusters whose endpoint and CA kanari looks up (eks:DescribeCluster), for the IAM
// policy in serverless.yml: read at deploy from KANARI_EKS_CLUSTERS, the setting the functions
// get, so the policy names exactly those clusters. A setting that is not JSON fails the deploy,
// naming it. (The functions check every field again at cold start: lib/schemas/config.ts.)
//
//   ${file(infra/eks-clusters.cjs):looksUp}        "true" when at least one cluster is looked up
//   ${file(infra/eks-clusters.cjs):describedArns}  their ARNs, in each one's region
module.exports = async () => {
  const text = process.env.KANARI_EKS_CLUSTERS ?? '';
  let clusters = {};
  if (text.trim() !== '') {
    try {
      clusters = JSON.parse(text);
    } catch (error) {
      throw new Error(`KANARI_EKS_CLUSTERS: not JSON: ${error.message}`);
    }
  }
  if (typeof clusters !== 'object' || clusters === null || Array.isArray(clusters))
    throw new Error('KANARI_EKS_CLUSTERS: expected an object keyed by kanari cluster name');
  const looked = Object.entries(clusters).filter(([, c]) => c && c.server === undefined);
  for (const [name, c] of looked)
    if (typeof c.eksClusterName !== 'string' || typeof c.region !== 'string')
      throw new Error(`KANARI_EKS_CLUSTERS.${name}: needs eksClusterName and region`);
  return {
    looksUp: looked.length > 0 ? 'true' : 'false',
    describedArns: looked.map(([, c]) => ({
      'Fn::Join': [
        '',
        ['arn:aws:eks:', c.region, ':', { Ref: 'AWS::AccountId' }, `:cluster/${c.eksClusterName}`],
      ],
    })),
  };
};
