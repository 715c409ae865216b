/**
 * The posture report as Markdown and as HTML. Both are built from one list of blocks, so they say
 * the same thing. Every text that came from outside (finding messages, gate evidence, AWS titles,
 * resource names) is escaped for its format: `&`, `<`, `>`, `"` and `'` become entities in HTML,
 * and Markdown table cells escape `|`, backslashes and line breaks and have `<`/`>` as entities, so
 * a `<script>` in a finding is text in both.
 */
import type { PostureReport, Unavailable } from './types.js';
import type { CostEstimate } from '../cost/types.js';
import type { CheckResult } from '../checks/types.js';

type Block = { h: string } | { p: string } | { table: { head: string[]; rows: string[][] } } | { list: string[] };

const isUnavailable = (x: { available?: boolean } | object): x is Unavailable => (x as Unavailable).available === false;
const money = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function blocks(r: PostureReport): Block[] {
  const out: Block[] = [];
  out.push({ h: `Posture report: env ${r.env}` });
  out.push({ p: `Generated ${r.generatedAt} by platform report (engine ${r.engine}). Sources that could not be read are marked unavailable with the reason; nothing is estimated in their place.` });

  out.push({ h: 'Gates' });
  if (r.recordsUnavailable) out.push({ p: `Unavailable: ${r.recordsUnavailable}` });
  else if (r.gates.length === 0) out.push({ p: 'No phase has a record in this env: nothing deployed, so no gate has run.' });
  else {
    out.push({
      table: {
        head: ['phase', 'status', 'gates', 'last run', 'for the deployed version'],
        rows: r.gates.map((g) => [
          `${g.phase} ${g.slug}`,
          g.status,
          g.results.length ? tally(g.results.map((x) => x.status)) : 'none recorded',
          g.at ?? '-',
          g.results.length ? (g.current ? 'yes' : 'no (stale)') : '-',
        ]),
      },
    });
    const rows = r.gates.flatMap((g) => g.results.map((x) => [`${g.phase}`, x.gate, x.status, [...x.evidence, ...(x.hint ? [`hint: ${x.hint}`] : [])].join(' / ')]));
    if (rows.length) out.push({ table: { head: ['phase', 'gate', 'result', 'evidence'], rows } });
  }
  if (r.notDeployed.length && !r.recordsUnavailable) out.push({ p: `Not deployed in this env: phase ${r.notDeployed.join(', ')}.` });

  out.push({ h: 'Static checks' });
  if (isUnavailable(r.checks)) out.push({ p: `Unavailable: ${r.checks.reason}` });
  else checks(out, r.checks);

  out.push({ h: 'Security Hub' });
  if (isUnavailable(r.securityHub)) out.push({ p: `Unavailable: ${r.securityHub.reason}` });
  else {
    const s = r.securityHub;
    out.push({ p: `${s.region}: active findings (workflow NEW or NOTIFIED) by severity: ${counts(s.activeBySeverity)}${s.truncated ? ' (more than the report reads: lower bounds)' : ''}.` });
    if (s.top.length) out.push({ table: { head: ['severity', 'title', 'resource'], rows: s.top.map((t) => [t.severity, t.title, t.resource]) } });
  }

  out.push({ h: 'GuardDuty' });
  if (isUnavailable(r.guardDuty)) out.push({ p: `Unavailable: ${r.guardDuty.reason}` });
  else {
    const g = r.guardDuty;
    out.push({ p: `${g.region}: detector ${g.detectorId} ${g.status}; current findings: high ${g.bySeverity.high}, medium ${g.bySeverity.medium}, low ${g.bySeverity.low}.` });
  }

  out.push({ h: 'Backups' });
  if (isUnavailable(r.backup)) out.push({ p: `Unavailable: ${r.backup.reason}` });
  else {
    const b = r.backup;
    out.push({ p: `${b.region}: jobs in the last ${b.windowHours} h by state: ${counts(b.jobsByState)}; last completed: ${b.lastCompletedAt ?? 'none in the window'}.` });
    if (b.vaults.length) out.push({ table: { head: ['vault', 'recovery points'], rows: b.vaults.map((v) => [v.name, String(v.recoveryPoints)]) } });
    if (b.failed.length) out.push({ table: { head: ['resource', 'state', 'message'], rows: b.failed.map((f) => [f.resource, f.state, f.message]) } });
  }

  out.push({ h: 'Backups in the DR region' });
  if (isUnavailable(r.drBackup)) out.push({ p: `Unavailable: ${r.drBackup.reason}` });
  else {
    const d = r.drBackup;
    out.push({ p: `${d.region}: copies into this region in the last ${d.windowHours} h by state: ${counts(d.copyJobsByState)}; last completed copy: ${d.lastCopiedAt ?? 'none in the window'}.` });
    if (d.vaults.length) out.push({ table: { head: ['vault', 'recovery points'], rows: d.vaults.map((v) => [v.name, String(v.recoveryPoints)]) } });
    else out.push({ p: `No backup vault in ${d.region}: recovery points are not copied out of the primary region.` });
    if (d.failed.length) out.push({ table: { head: ['resource', 'state', 'message'], rows: d.failed.map((f) => [f.resource, f.state, f.message]) } });
  }

  out.push({ h: 'Cost' });
  if (isUnavailable(r.cost)) out.push({ p: `Unavailable: ${r.cost.reason}` });
  else cost(out, r.cost);

  if (r.notPlanned.length) {
    out.push({ h: 'Not planned' });
    out.push({ list: r.notPlanned.map((n) => `phase ${n.phase}: ${n.reason} (no static checks, no cost)`) });
  }
  return out;
}

function checks(out: Block[], c: CheckResult): void {
  out.push({ p: `${c.rulesEvaluated.length} rules over ${c.resourcesChecked} planned resources and ${c.manifestsChecked} manifests: ${c.findings.length} findings, ${c.suppressed.length} suppressed, ${c.expiredSuppressions.length} failed suppressions.` });
  if (c.findings.length) {
    out.push({ table: { head: ['severity', 'phase', 'resource', 'property', 'finding', 'rule', 'fix'], rows: c.findings.map((f) => [f.severity, String(f.phase), `${f.type} ${f.name}`, f.property, f.message, f.rule, f.fix]) } });
  }
  if (c.suppressions.length) {
    out.push({ p: 'Suppressions in force (each with its reason and expiry):' });
    out.push({ table: { head: ['rule', 'resource', 'expires', 'findings suppressed', 'reason'], rows: c.suppressions.map((s) => [s.rule, s.resource, s.expires, String(s.matched), s.reason]) } });
  }
  if (c.expiredSuppressions.length) {
    out.push({ p: 'Failed suppressions (they suppress nothing and fail the check):' });
    out.push({ table: { head: ['rule', 'resource', 'expires', 'problem'], rows: c.expiredSuppressions.map((s) => [s.rule, s.resource, s.expires, s.problem]) } });
  }
}

function cost(out: Block[], e: CostEstimate): void {
  out.push({
    p: `${money(e.totalMonthlyUsd)} ${e.currency} per month for what could be priced (${e.region}; price table: ${e.table.generator}, ${e.table.generatedAt}${e.table.generator === 'manual' ? ', entered by hand, not read from the AWS Price List' : ''}).`,
  });
  out.push({ table: { head: ['phase', 'USD per month'], rows: e.phases.map((p) => [String(p.phase), money(p.monthlyUsd)]) } });
  if (e.usage.length) out.push({ p: `Billed by use, not estimated: ${e.usage.map((g) => `${g.type} x${g.count}`).join(', ')}.` });
  out.push({ p: e.unpriced.length ? `UNPRICED (left out of the total): ${e.unpriced.map((g) => `${g.type} x${g.count} (${g.reasons.join('; ')})`).join(', ')}.` : 'Unpriced: none.' });
}

function tally(statuses: string[]): string {
  const m = new Map<string, number>();
  for (const s of statuses) m.set(s, (m.get(s) ?? 0) + 1);
  return [...m].map(([s, n]) => `${n} ${s}`).join(', ');
}

function counts(m: Record<string, number>): string {
  const e = Object.entries(m);
  return e.length ? e.map(([k, n]) => `${k} ${n}`).join(', ') : 'none';
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Text in Markdown: no raw HTML (`<`, `>`, `&` as entities), no emphasis or link syntax taking effect. */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

export function renderMarkdown(r: PostureReport): string {
  const out: string[] = [];
  let first = true;
  for (const b of blocks(r)) {
    if ('h' in b) {
      out.push(`${first ? '#' : '##'} ${escapeMarkdown(b.h)}`, '');
      first = false;
    } else if ('p' in b) out.push(escapeMarkdown(b.p), '');
    else if ('list' in b) out.push(...b.list.map((l) => `- ${escapeMarkdown(l)}`), '');
    else {
      const row = (cells: string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
      out.push(row(b.table.head), `|${b.table.head.map(() => ' --- |').join('')}`, ...b.table.rows.map(row), '');
    }
  }
  return out.join('\n');
}

export function renderHtml(r: PostureReport): string {
  const body: string[] = [];
  let first = true;
  for (const b of blocks(r)) {
    if ('h' in b) {
      body.push(first ? `<h1>${escapeHtml(b.h)}</h1>` : `<h2>${escapeHtml(b.h)}</h2>`);
      first = false;
    } else if ('p' in b) body.push(`<p>${escapeHtml(b.p)}</p>`);
    else if ('list' in b) body.push(`<ul>${b.list.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`);
    else {
      const th = b.table.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
      const rows = b.table.rows.map((cells) => `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
      body.push(`<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`);
    }
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(`Posture report: env ${r.env}`)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f4f4f4}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
