import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadPrices } from '../../src/cost/index.js';
import { priceData } from '../../src/cost/price-data.js';
import { extractPrices, parseCsvLine, specFor } from '../../src/cost/price-list.js';
import { parsePriceTable } from '../../src/cost/price-table.js';
import { FIXTURE_TABLE } from './fixtures.js';

const REPO = join(import.meta.dirname, '../..');

describe('cost: the price table', () => {
  it('the committed table has the schema: region, unit, price, source and date on every entry, and says how it was made', () => {
    const t = parsePriceTable(priceData);
    assert.ok(t.prices.length > 10);
    for (const p of t.prices) {
      assert.ok(p.source.length > 0 && /^\d{4}-\d{2}-\d{2}$/.test(p.date), `${p.key}@${p.region}`);
      assert.ok(specFor(p.key), `${p.key}: scripts/update-prices.ts must know where to find it`);
    }
    // A hand-made table must say so (the report and `platform cost` print it).
    if (t.generator === 'manual') assert.match(t.note, /by hand/);
    else assert.match(t.note, /Price List/);
  });

  it('prices the system node types and the core items of every env file, in its primary and DR regions', () => {
    const prices = loadPrices();
    for (const f of readdirSync(join(REPO, 'stacks')).filter((n) => n.endsWith('.yaml') && !n.startsWith('organization'))) {
      const env = parse(readFileSync(join(REPO, 'stacks', f), 'utf8')) as { regions: { primary: string; dr: string }; cluster: { systemNodes: { instanceTypes: string[] } } };
      for (const region of [env.regions.primary, env.regions.dr]) {
        for (const key of ['ebs:gp3', 'eks:cluster', 'vpc:nat-gateway', 'vpc:interface-endpoint', 'vpc:public-ipv4', 'elb:network', 'kms:key', 'route53:hosted-zone']) {
          assert.ok(prices.find(key, region), `${f}: ${key} in ${region}`);
        }
      }
      assert.ok(prices.find(`ec2:${env.cluster.systemNodes.instanceTypes[0]}`, env.regions.primary), `${f}: system node type`);
    }
  });

  it('refuses a table with a negative price, a missing source, a duplicate entry or an unknown unit, naming the field', () => {
    const broken = (edit: (t: any) => void) => {
      const t = structuredClone(FIXTURE_TABLE) as any;
      edit(t);
      return () => parsePriceTable(t);
    };
    assert.throws(broken((t) => (t.prices[0].usd = -1)), /prices.*0.*usd/s);
    assert.throws(broken((t) => delete t.prices[1].source), /prices.*1.*source/s);
    assert.throws(broken((t) => t.prices.push({ ...t.prices[0] })), /duplicate price ec2:m6i\.large@eu-west-1/);
    assert.throws(broken((t) => (t.prices[2].unit = 'day')), /unit/);
    assert.throws(broken((t) => (t.prices[2].region = 'Ireland')), /region/);
  });
});

describe('cost: reading AWS Price List offer files (scripts/update-prices.ts)', () => {
  // The layout of a Price List bulk `index.csv` (metadata rows, then the header), cut down to the
  // columns the specs read, with decoys: Windows, dedicated tenancy, a reserved term, another size.
  const head = [
    '"FormatVersion","v1.0"',
    '"Disclaimer","This pricing list is for informational purposes only."',
    '"Publication Date","2026-11-20T21:05:42Z"',
    '"Version","20261120210542"',
    '"OfferCode","AmazonEC2"',
    '"SKU","OfferTermCode","RateCode","TermType","PriceDescription","EffectiveDate","StartingRange","EndingRange","Unit","PricePerUnit","Currency","Product Family","serviceCode","Location","Instance Type","Tenancy","Operating System","Pre Installed S/W","CapacityStatus","usageType","Volume API Name","Region Code"',
  ];
  const row = (sku: string, term: string, unit: string, price: string, family: string, type: string, tenancy: string, os: string, usage: string, vol = '') =>
    `"${sku}","JRTCKXETXF","${sku}.JRTCKXETXF.6YS6EN2CT7","${term}","$${price} per unit, with ""quotes""","2026-11-01","0","Inf","${unit}","${price}","USD","${family}","AmazonEC2","EU (Ireland)","${type}","${tenancy}","${os}","NA","Used","${usage}","${vol}","eu-west-1"`;
  const file = [
    ...head,
    row('AAA', 'OnDemand', 'Hrs', '0.1070000000', 'Compute Instance', 'm6i.large', 'Shared', 'Linux', 'EU-BoxUsage:m6i.large'),
    row('BBB', 'OnDemand', 'Hrs', '0.1990000000', 'Compute Instance', 'm6i.large', 'Shared', 'Windows', 'EU-BoxUsage:m6i.large'),
    row('CCC', 'OnDemand', 'Hrs', '0.1180000000', 'Compute Instance', 'm6i.large', 'Dedicated', 'Linux', 'EU-DedicatedUsage:m6i.large'),
    row('DDD', 'Reserved', 'Hrs', '0.0670000000', 'Compute Instance', 'm6i.large', 'Shared', 'Linux', 'EU-BoxUsage:m6i.large'),
    row('EEE', 'OnDemand', 'Hrs', '0.2140000000', 'Compute Instance', 'm6i.xlarge', 'Shared', 'Linux', 'EU-BoxUsage:m6i.xlarge'),
    row('FFF', 'OnDemand', 'GB-Mo', '0.0880000000', 'Storage', '', '', '', 'EU-EBS:VolumeUsage.gp3', 'gp3'),
    row('GGG', 'OnDemand', 'Hrs', '0.0480000000', 'NAT Gateway', '', '', '', 'EU-NatGateway-Hours'),
  ];

  it('parses quoted CSV fields with doubled quotes and commas', () => {
    assert.deepEqual(parseCsvLine('"a","b ""c"", d",,"e"'), ['a', 'b "c", d', '', 'e']);
  });

  it('takes the one on-demand Linux shared-tenancy price, per GB-month for volumes, naming file and SKU', async () => {
    const specs = ['ec2:m6i.large', 'ebs:gp3', 'vpc:nat-gateway'].map((k) => specFor(k)!);
    const got = await extractPrices(file, specs, 'eu-west-1', 'https://example.test/index.csv', '2026-11-30');
    assert.deepEqual(got.problems, []);
    assert.deepEqual(
      got.entries.map((e) => [e.key, e.unit, e.usd, e.source]),
      [
        ['ec2:m6i.large', 'hour', 0.107, 'https://example.test/index.csv (SKU AAA)'],
        ['ebs:gp3', 'GB-month', 0.088, 'https://example.test/index.csv (SKU FFF)'],
        ['vpc:nat-gateway', 'hour', 0.048, 'https://example.test/index.csv (SKU GGG)'],
      ],
    );
    // The result passes the table's own schema.
    parsePriceTable({ ...FIXTURE_TABLE, prices: got.entries });
  });

  it('a key with no row, or with two different prices, is a problem, not a guess', async () => {
    const twice = [...file, row('HHH', 'OnDemand', 'Hrs', '0.1111000000', 'Compute Instance', 'm6i.large', 'Shared', 'Linux', 'EU-BoxUsage:m6i.large')];
    const a = await extractPrices(twice, [specFor('ec2:m6i.large')!], 'eu-west-1', 'f', '2026-11-30');
    assert.deepEqual(a.entries, []);
    assert.match(a.problems[0]!, /ec2:m6i\.large in eu-west-1: 2 different prices matched \(SKUs AAA, HHH\)/);
    const b = await extractPrices(file, [specFor('ec2:c7g.large')!], 'eu-west-1', 'f', '2026-11-30');
    assert.match(b.problems[0]!, /ec2:c7g\.large in eu-west-1: no on-demand row matched in AmazonEC2/);
    const c = await extractPrices(['"not","a price file"'], [specFor('ebs:gp3')!], 'eu-west-1', 'f', '2026-11-30');
    assert.match(c.problems[0]!, /no header row starting with "SKU"/);
  });
});
