import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { contractVectors, metricsProviderContract } from '../support/metrics-provider-contract.ts';

metricsProviderContract('FakeMetricsProvider', () => new FakeMetricsProvider({}, contractVectors));
