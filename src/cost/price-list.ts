/**
 * Reading AWS Price List bulk offer files (the CSV form) into price-table entries, for
 * scripts/update-prices.ts. Pure: lines in, entries out; the script does the fetching.
 *
 * File layout (the Price List bulk API's `index.csv`, docs.aws.amazon.com "Reading the price list
 * files"): a few metadata rows ("FormatVersion", "Disclaimer", "Publication Date", "Version",
 * "OfferCode"), then a header row starting with "SKU", then one row per (SKU, term, price
 * dimension). Columns are matched by name with case, spaces and punctuation ignored, so
 * "Instance Type", "instanceType" and "Pre Installed S/W" all work.
 *
 * Rules: each wanted key must match exactly one on-demand price (first tier) per region; none, or
 * several different prices, is an error naming the key: the table is never written half-right.
 */
import type { PriceEntry, PriceUnit } from './price-table.js';

/** What to look for: the offer file, how a row is recognised, and the unit the table stores. */
export interface PriceSpec {
  key: string;
  offer: string;
  unit: PriceUnit;
  /** Column (normalized name) -> required value, or a test on the value. */
  where: Record<string, string | ((v: string) => boolean)>;
}

export function normalize(column: string): string {
  return column.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** One CSV record (RFC 4180 quoting; the offer files have no line breaks inside fields). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const ends = (suffix: string) => (v: string) => v.endsWith(suffix);
const ON_DEMAND = { termtype: 'OnDemand' };

/** The spec of a price key, or undefined when the script does not know how to find it. */
export function specFor(key: string): PriceSpec | undefined {
  const [kind, ...rest] = key.split(':');
  const arg = rest.join(':');
  switch (kind) {
    case 'ec2':
      return {
        key,
        offer: 'AmazonEC2',
        unit: 'hour',
        where: { ...ON_DEMAND, instancetype: arg, operatingsystem: 'Linux', tenancy: 'Shared', preinstalledsw: 'NA', capacitystatus: 'Used', usagetype: (v) => v.includes('BoxUsage:') },
      };
    case 'ebs':
      return { key, offer: 'AmazonEC2', unit: 'GB-month', where: { ...ON_DEMAND, productfamily: 'Storage', volumeapiname: arg } };
    case 'eks':
      return arg === 'cluster' ? { key, offer: 'AmazonEKS', unit: 'hour', where: { ...ON_DEMAND, usagetype: ends('AmazonEKS-Hours:perCluster') } } : undefined;
    case 'vpc':
      if (arg === 'nat-gateway') return { key, offer: 'AmazonEC2', unit: 'hour', where: { ...ON_DEMAND, usagetype: ends('NatGateway-Hours') } };
      if (arg === 'interface-endpoint') return { key, offer: 'AmazonVPC', unit: 'hour', where: { ...ON_DEMAND, usagetype: ends('VpcEndpoint-Hours') } };
      if (arg === 'public-ipv4') return { key, offer: 'AmazonVPC', unit: 'hour', where: { ...ON_DEMAND, usagetype: ends('PublicIPv4:InUseAddress') } };
      return undefined;
    case 'elb': {
      const family = arg === 'network' ? 'Load Balancer-Network' : arg === 'application' ? 'Load Balancer-Application' : undefined;
      return family ? { key, offer: 'AWSELB', unit: 'hour', where: { ...ON_DEMAND, productfamily: family, usagetype: ends('LoadBalancerUsage') } } : undefined;
    }
    case 'kms':
      return arg === 'key' ? { key, offer: 'awskms', unit: 'month', where: { ...ON_DEMAND, usagetype: ends('KMS-Keys') } } : undefined;
    case 'route53':
      return arg === 'hosted-zone' ? { key, offer: 'AmazonRoute53', unit: 'month', where: { ...ON_DEMAND, usagetype: 'HostedZone', startingrange: '0' } } : undefined;
    case 'secretsmanager':
      return arg === 'secret' ? { key, offer: 'AWSSecretsManager', unit: 'month', where: { ...ON_DEMAND, usagetype: ends('AWSSecretsManager-Secrets') } } : undefined;
    case 'cloudwatch':
      return arg === 'alarm' ? { key, offer: 'AmazonCloudWatch', unit: 'month', where: { ...ON_DEMAND, usagetype: ends('CW:AlarmMonitorUsage') } } : undefined;
    case 'network-firewall':
      return arg === 'endpoint' ? { key, offer: 'AWSNetworkFirewall', unit: 'hour', where: { ...ON_DEMAND, usagetype: ends('Endpoint-Hour') } } : undefined;
    default:
      return undefined;
  }
}

function unitOf(raw: string): PriceUnit | undefined {
  const u = raw.toLowerCase();
  if (u === 'hrs' || u === 'hours' || u === 'hour') return 'hour';
  if (u === 'gb-mo') return 'GB-month';
  if (['mo', 'month', 'keys', 'secrets', 'alarms', 'hostedzone'].includes(u)) return 'month';
  return undefined;
}

export interface Extracted {
  entries: PriceEntry[];
  /** Keys with no matching row, or with several different prices. */
  problems: string[];
}

/**
 * Reads one offer file (its lines, in order) and returns the entries of `specs` for `region`
 * (`global` for offers without regional files). `source` is the file's URL; `date` the day read.
 */
export async function extractPrices(lines: AsyncIterable<string> | Iterable<string>, specs: readonly PriceSpec[], region: string, source: string, date: string): Promise<Extracted> {
  let header: string[] | undefined;
  const found = new Map<string, { usd: number; sku: string }[]>();
  for await (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (!line) continue;
    const cells = parseCsvLine(line);
    if (!header) {
      if (normalize(cells[0] ?? '') === 'sku') header = cells.map(normalize);
      continue;
    }
    const row = (col: string) => cells[header!.indexOf(col)] ?? '';
    for (const s of specs) {
      const ok = Object.entries(s.where).every(([col, want]) => (typeof want === 'string' ? row(col) === want : want(row(col))));
      if (!ok || unitOf(row('unit')) !== s.unit) continue;
      const regionCode = row('regioncode');
      if (region !== 'global' && regionCode && regionCode !== region) continue;
      const usd = Number(row('priceperunit'));
      if (!Number.isFinite(usd)) continue;
      found.set(s.key, [...(found.get(s.key) ?? []), { usd, sku: row('sku') }]);
    }
  }
  const entries: PriceEntry[] = [];
  const problems: string[] = [];
  if (!header) return { entries, problems: [`${source}: no header row starting with "SKU"`] };
  for (const s of specs) {
    const hits = found.get(s.key) ?? [];
    const prices = [...new Set(hits.map((h) => h.usd))];
    if (prices.length === 0) problems.push(`${s.key} in ${region}: no on-demand row matched in ${s.offer}`);
    else if (prices.length > 1) problems.push(`${s.key} in ${region}: ${prices.length} different prices matched (SKUs ${hits.map((h) => h.sku).join(', ')}); narrow the spec in src/cost/price-list.ts`);
    else entries.push({ key: s.key, region, unit: s.unit, usd: prices[0]!, source: `${source} (SKU ${hits[0]!.sku})`, date });
  }
  return { entries, problems };
}
