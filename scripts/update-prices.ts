/**
 * Regenerates src/cost/price-data.ts from the AWS Price List bulk API (public files; no AWS
 * credentials): for every (key, region) the committed table has, plus any `--add key@region`, it
 * reads the offer's region index, streams that region's `index.csv` and takes the one on-demand price
 * (src/cost/price-list.ts). Any key not found, or found with several prices, stops it with the list:
 * the table is written whole (validated by the schema, written atomically) or not at all.
 *
 *   npx tsx scripts/update-prices.ts                 # refresh every price in the table
 *   npx tsx scripts/update-prices.ts --add ec2:m7i.large@eu-west-1 --add ebs:gp3@us-east-1
 *   npx tsx scripts/update-prices.ts --out /tmp/prices.json   # write JSON, for `platform cost --prices`
 *
 * See docs/cost.md. Needs internet (pricing.us-east-1.amazonaws.com); the EC2 files are large
 * (hundreds of MB per region), streamed, never held whole.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { priceData } from '../src/cost/price-data.js';
import { extractPrices, specFor, type PriceSpec } from '../src/cost/price-list.js';
import { parsePriceTable, type PriceEntry } from '../src/cost/price-table.js';

const BASE = 'https://pricing.us-east-1.amazonaws.com';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

async function* lines(url: string): AsyncGenerator<string> {
  const r = await fetch(url);
  if (!r.ok || !r.body) throw new Error(`GET ${url}: HTTP ${r.status}`);
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true });
    const parts = rest.split('\n');
    rest = parts.pop() ?? '';
    yield* parts;
  }
  if (rest) yield rest;
}

/** The CSV URL of an offer in a region (`global`: the offer's own current file). */
async function offerCsv(offer: string, region: string): Promise<string> {
  if (region === 'global') return `${BASE}/offers/v1.0/aws/${offer}/current/index.csv`;
  const r = await fetch(`${BASE}/offers/v1.0/aws/${offer}/current/region_index.json`);
  if (!r.ok) throw new Error(`region index of ${offer}: HTTP ${r.status}`);
  const index = (await r.json()) as { regions?: Record<string, { currentVersionUrl?: string }> };
  const url = index.regions?.[region]?.currentVersionUrl;
  if (!url) throw new Error(`${offer} has no price file for region ${region}`);
  return BASE + url.replace(/\.json$/, '.csv');
}

async function main(argv: string[]): Promise<number> {
  const adds = argv.flatMap((a, i) => (a === '--add' ? [argv[i + 1] ?? ''] : []));
  const outIdx = argv.indexOf('--out');
  const out = outIdx >= 0 ? argv[outIdx + 1] : undefined;
  const current = parsePriceTable(priceData);
  const wanted = new Map<string, { key: string; region: string }>();
  for (const p of current.prices) wanted.set(`${p.key}@${p.region}`, { key: p.key, region: p.region });
  for (const a of adds) {
    const m = /^(.+)@([a-z0-9-]+)$/.exec(a);
    if (!m) throw new Error(`--add '${a}': write key@region, e.g. ec2:m7i.large@eu-west-1`);
    wanted.set(a, { key: m[1]!, region: m[2]! });
  }
  // One pass per (offer, region) file, looking for every key it holds.
  const byFile = new Map<string, { offer: string; region: string; specs: PriceSpec[] }>();
  const problems: string[] = [];
  for (const { key, region } of wanted.values()) {
    const spec = specFor(key);
    if (!spec) {
      problems.push(`${key}: no spec in src/cost/price-list.ts says where to find it`);
      continue;
    }
    const id = `${spec.offer}@${region}`;
    const f = byFile.get(id) ?? { offer: spec.offer, region, specs: [] };
    f.specs.push(spec);
    byFile.set(id, f);
  }
  const date = new Date().toISOString().slice(0, 10);
  const entries: PriceEntry[] = [];
  for (const f of byFile.values()) {
    const started = Date.now();
    const url = await offerCsv(f.offer, f.region);
    const got = await extractPrices(lines(url), f.specs, f.region, url, date);
    entries.push(...got.entries);
    problems.push(...got.problems);
    process.stderr.write(`${f.offer} ${f.region}: ${got.entries.length}/${f.specs.length} prices in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  if (problems.length) {
    process.stderr.write(`not written; ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  entries.sort((a, b) => a.region.localeCompare(b.region) || a.key.localeCompare(b.key));
  const table = parsePriceTable({
    ...current,
    generator: 'scripts/update-prices.ts',
    generatedAt: date,
    note: `Read from the AWS Price List bulk API (${BASE}) on ${date}: on-demand list prices, first tier; each entry names its file and SKU.`,
    prices: entries,
  });
  const target = out ?? join(ROOT, 'src/cost/price-data.ts');
  const body = out
    ? JSON.stringify(table, null, 2) + '\n'
    : `/**\n * The committed price table (validated by price-table.ts when loaded). Written by\n * \`scripts/update-prices.ts\` from the AWS Price List bulk files; see \`generator\`, \`note\` and each\n * entry's \`source\` for how these numbers were produced. Do not edit by hand except to bootstrap it.\n */\nexport const priceData: unknown = ${JSON.stringify(table, null, 2)};\n`;
  writeFileSync(`${target}.tmp`, body);
  renameSync(`${target}.tmp`, target);
  process.stderr.write(`wrote ${entries.length} prices to ${target}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`update-prices: ${e.message}\n`);
    process.exit(1);
  },
);
