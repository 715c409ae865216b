/** A small price table with round numbers, so expected totals can be worked out by hand. */
import type { PhaseId } from '../../src/core/phase.js';
import type { PlannedResource } from '../../src/core/ports.js';
import { Prices, parsePriceTable } from '../../src/cost/price-table.js';

const at = { source: 'test fixture', date: '2026-11-30' };
export const FIXTURE_TABLE = {
  schemaVersion: 1,
  currency: 'USD',
  hoursPerMonth: 730,
  generator: 'manual',
  generatedAt: '2026-11-30',
  note: 'test',
  prices: [
    { key: 'ec2:m6i.large', region: 'eu-west-1', unit: 'hour', usd: 0.1, ...at },
    { key: 'ebs:gp3', region: 'eu-west-1', unit: 'GB-month', usd: 0.08, ...at },
    { key: 'eks:cluster', region: 'eu-west-1', unit: 'hour', usd: 0.1, ...at },
    { key: 'vpc:nat-gateway', region: 'eu-west-1', unit: 'hour', usd: 0.05, ...at },
    { key: 'vpc:nat-gateway', region: 'eu-central-1', unit: 'hour', usd: 0.06, ...at },
    { key: 'vpc:public-ipv4', region: 'eu-west-1', unit: 'hour', usd: 0.005, ...at },
    { key: 'vpc:interface-endpoint', region: 'eu-west-1', unit: 'hour', usd: 0.01, ...at },
    { key: 'elb:network', region: 'eu-west-1', unit: 'hour', usd: 0.025, ...at },
    { key: 'kms:key', region: 'eu-west-1', unit: 'month', usd: 1, ...at },
    { key: 'route53:hosted-zone', region: 'global', unit: 'month', usd: 0.5, ...at },
  ],
};
export const fixturePrices = (): Prices => new Prices(parsePriceTable(structuredClone(FIXTURE_TABLE)));
export const ENV = { name: 'test', regions: { primary: 'eu-west-1', dr: 'eu-central-1' } };

let n = 0;
export function res(phase: PhaseId, type: string, inputs: Record<string, unknown> = {}, name = `r${++n}`, parentType?: string): PlannedResource {
  const t = parentType ? `${parentType}$${type}` : type;
  return { phase, urn: `urn:pulumi:test-stack::platform::${t}::${name}`, type, name, inputs };
}
