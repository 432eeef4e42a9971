// What the deploy's IAM policies depend on in the settings the functions get, read at deploy
// from the same environment, so each policy names exactly what is configured. A setting that is
// not JSON fails the deploy, naming it. (The functions check every field again at cold start:
// lib/schemas/config.ts.)
//
//   ${file(infra/settings.cjs):looksUp}          "true" when a KANARI_EKS_CLUSTERS cluster is looked up
//   ${file(infra/settings.cjs):describedArns}    their ARNs, in each one's region (eks:DescribeCluster)
//   ${file(infra/settings.cjs):readsCloudWatch}  "true" when KANARI_METRIC_PROVIDERS has a CloudWatch one

/** A setting's JSON object, {} when unset. */
const objectOf = (name) => {
  const text = process.env[name] ?? '';
  if (text.trim() === '') return {};
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${name}: not JSON: ${error.message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${name}: expected an object keyed by name`);
  return value;
};

module.exports = async () => {
  const clusters = objectOf('KANARI_EKS_CLUSTERS');
  const providers = objectOf('KANARI_METRIC_PROVIDERS');
  const looked = Object.entries(clusters).filter(([, c]) => c && c.server === undefined);
  for (const [name, c] of looked)
    if (typeof c.eksClusterName !== 'string' || typeof c.region !== 'string')
      throw new Error(`KANARI_EKS_CLUSTERS.${name}: needs eksClusterName and region`);
  return {
    readsCloudWatch: Object.values(providers).some((p) => p && p.type === 'cloudwatch')
      ? 'true'
      : 'false',
    looksUp: looked.length > 0 ? 'true' : 'false',
    describedArns: looked.map(([, c]) => ({
      'Fn::Join': [
        '',
        ['arn:aws:eks:', c.region, ':', { Ref: 'AWS::AccountId' }, `:cluster/${c.eksClusterName}`],
      ],
    })),
  };
};
