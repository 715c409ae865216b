/**
 * `unknownValuesKeys` on pass-through maps: a chart's `config` that is the application's own
 * configuration (the OpenTelemetry collector's) accepts components its defaults do not name, while
 * a misspelt chart key beside it is still reported.
 */
import { strict as assert } from 'node:assert';
import { unknownValuesKeys } from '../../src/checks/charts/values-keys.js';

describe('values keys against the chart defaults: pass-through config', () => {
  // The shape of opentelemetry-collector 0.170.0's values.yaml (abridged).
  const defaults = {
    mode: '',
    config: { exporters: { debug: {} }, receivers: { otlp: { protocols: { grpc: { endpoint: 'x' } } } }, service: { pipelines: { traces: { exporters: ['debug'] } } } },
    podDisruptionBudget: { enabled: false },
  };

  it("accepts a new exporter under the collector's config, and still names a misspelt chart key", () => {
    const values = {
      mode: 'deployment',
      config: { exporters: { 'otlp_grpc/tempo': { endpoint: 'tempo:4317', tls: { insecure: true } } } },
      podDisruptionBudget: { enabeld: true },
    };
    assert.deepEqual(unknownValuesKeys(values, defaults).map((i) => i.key), ['podDisruptionBudget.enabeld']);
  });
});
