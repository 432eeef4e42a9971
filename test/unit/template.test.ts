import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS } from '../../lib/domain/builtin-metrics.ts';
import { renderTemplate, unknownPlaceholders } from '../../lib/domain/template.ts';

const variables = { namespace: 'prod', target: 'my-service-v2', interval: '1m' };

describe('query templates', () => {
  it('renders namespace, target and interval with or without spaces', () => {
    expect(
      renderTemplate('x{ns="{{ namespace }}",w="{{target}}"}[{{  interval }}]', variables),
    ).toBe('x{ns="prod",w="my-service-v2"}[1m]');
  });

  it('leaves unknown placeholders as they are and reports them', () => {
    expect(renderTemplate('{{ other }}', variables)).toBe('{{ other }}');
    expect(unknownPlaceholders('{{ namespace }} {{ other }} {{ variables.x }}')).toEqual([
      'other',
      'variables.x',
    ]);
  });

  it("renders the built-in success rate with Istio's destination labels", () => {
    const query = renderTemplate(BUILTIN_METRICS['request-success-rate'], variables);
    expect(query).toContain('reporter="destination"');
    expect(query).toContain('destination_workload_namespace="prod"');
    expect(query).toContain('destination_workload=~"my-service-v2"');
    expect(query).toContain('response_code!~"5.*"');
    expect(query).toContain('[1m]');
    expect(query).not.toContain('{{');
  });

  it('renders the built-in duration as a p99 over the histogram buckets', () => {
    const query = renderTemplate(BUILTIN_METRICS['request-duration'], variables);
    expect(query).toMatch(
      /^histogram_quantile\(0\.99, sum\(rate\(istio_request_duration_milliseconds_bucket\{/,
    );
    expect(query).toContain('by (le)');
  });
});
