/** What `platform cost` prints: a table per phase, the total, and what was not estimated. Pure. */
import type { PhaseId } from '../core/phase.js';
import type { CostEstimate } from './types.js';

export function usd(n: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** The plain output, one string per line. `names` maps phase ids to slugs. */
export function renderCostPlain(e: CostEstimate, names: ReadonlyMap<PhaseId, string> = new Map()): string[] {
  const out: string[] = [];
  const label = (p: PhaseId) => `phase ${p}${names.get(p) ? ` ${names.get(p)}` : ''}`;
  out.push(`cost estimate for env ${e.env} (${e.region}), ${e.currency} per month, ${e.hoursPerMonth} h per month`);
  out.push(`price table: ${e.table.generator}, ${e.table.generatedAt}${e.table.generator === 'manual' ? ' (entered by hand, not read from the AWS Price List; see docs/cost.md)' : ''}`);
  for (const p of e.phases) {
    out.push('');
    out.push(`${label(p.phase)}: ${usd(p.monthlyUsd)}`);
    const w = Math.max(0, ...p.lines.map((l) => `${l.type} ${l.name}`.length));
    for (const l of p.lines) out.push(`  ${pad(`${l.type} ${l.name}`, w)}  ${pad(usd(l.monthlyUsd), 10, true)}  ${l.item} @ ${l.unitUsd}/${l.unit}`);
    if (p.lines.length === 0) out.push('  (nothing priced)');
  }
  out.push('');
  out.push(`total: ${usd(e.totalMonthlyUsd)} ${e.currency}/month for what could be priced`);
  if (e.usage.length) {
    out.push(`billed by use, not estimated (${e.usage.reduce((s, g) => s + g.count, 0)} resources):`);
    for (const g of e.usage) out.push(`  ${g.type} x${g.count} (phase ${g.phases.join(', ')}): ${g.reasons.join('; ')}`);
  }
  if (e.unpriced.length) {
    out.push(`UNPRICED (${e.unpriced.reduce((s, g) => s + g.count, 0)} items; the total leaves them out):`);
    for (const g of e.unpriced) out.push(`  ${g.type} x${g.count} (phase ${g.phases.join(', ')}): ${g.reasons.join('; ')}`);
  } else out.push('unpriced: none');
  return out;
}

/** The --json document. */
export function renderCostJson(e: CostEstimate, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'cost', ...extra, ...e };
}
