/**
 * The text of `status --all-envs` (src/orchestrator/status-matrix.ts): one row per phase, one column
 * per env, then a legend and each env that could not be read with its reason.
 */
import type { MatrixCell, StatusMatrix } from '../orchestrator/status-matrix.js';

export function cellText(c: MatrixCell | undefined): string {
  if (!c) return '?';
  if (c.state === 'no-program') return 'no program';
  if (!c.deployed) return c.state === 'destroyed' ? 'destroyed' : c.promotable === 'yes' ? '- (promotable)' : '-';
  const parts = [c.version ?? '?', c.state === 'succeeded' ? c.freshness : c.state, `gates ${c.gates}`];
  if (c.drift !== undefined) parts.push(c.drift ? `DRIFT ${c.drift}` : 'no drift');
  if (c.promotable === 'yes') parts.push('promotable');
  if (c.promotable === 'no') parts.push('not promotable');
  return parts.join(' ');
}

export function renderMatrix(m: StatusMatrix): string {
  const head = ['phase', ...m.envs.map((e) => `${e.env} (${e.engine})`)];
  const rows = m.phases.map((p) => [`${String(p.phase).padStart(2)} ${p.slug}`, ...m.envs.map((e) => (e.error ? 'unreadable' : cellText(p.cells[e.env])))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line)];
  out.push('', 'cells: version (program-source hash) · fresh/stale · gates · drift (after platform drift) · promotable (envs with promoteFrom); - not deployed');
  for (const e of m.envs) if (e.error) out.push(`env ${e.env} could not be read: ${e.error.message}${e.error.hint ? `; ${e.error.hint}` : ''}`);
  return out.join('\n') + '\n';
}
