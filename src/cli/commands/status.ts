/** `platform status`: every phase of an env, or (`--all-envs`) of every env side by side (read-only). */
import { join } from 'node:path';
import { PlatformError, isPlatformError } from '../../core/errors.js';
import { phaseStatuses, type PhaseStatusRow } from '../../orchestrator/status.js';
import { buildMatrix, type EnvColumn } from '../../orchestrator/status-matrix.js';
import { findRepoRoot } from '../../config/repo-root.js';
import { listEnvs } from '../../config/load-env.js';
import type { GlobalOptions } from '../main.js';
import { createRecordStore, loadRegistry, openSession, organizationPorts, outputMode, type Session } from '../services.js';
import { DirSourceHasher } from '../../state/source-hasher.js';
import { report } from '../report.js';
import { promotionPort } from '../promotion-port.js';
import { renderMatrix } from '../../ui/status-matrix.js';

async function rowsOf(session: Session): Promise<PhaseStatusRow[]> {
  return phaseStatuses(session.env, session.registry, {
    engine: session.engine,
    records: await createRecordStore(session),
    sources: new DirSourceHasher(join(session.repoRoot, 'programs')),
    organization: await organizationPorts(session),
    promotion: await promotionPort(session),
  });
}

async function allEnvs(globals: GlobalOptions): Promise<number> {
  const repoRoot = await findRepoRoot(process.cwd());
  const names = await listEnvs(repoRoot);
  const columns: EnvColumn[] = [];
  for (const name of names) {
    try {
      const session = await openSession(globals, name);
      columns.push({ env: name, engine: session.engine.kind, rows: await rowsOf(session) });
    } catch (e) {
      if (!isPlatformError(e)) throw e;
      columns.push({ env: name, engine: globals.engine ?? '?', error: e });
    }
  }
  const registry = await loadRegistry();
  const m = buildMatrix(columns, registry);
  if (outputMode(globals) === 'json') {
    for (const p of m.phases) for (const [env, cell] of Object.entries(p.cells)) process.stdout.write(JSON.stringify({ type: 'cell', env, phase: p.phase, slug: p.slug, ...cell }) + '\n');
    process.stdout.write(JSON.stringify({ type: 'summary', envs: m.envs, exitCode: m.exitCode }) + '\n');
  } else {
    process.stdout.write(renderMatrix(m));
    const bad = columns.find((c) => c.error);
    if (bad) report(bad.error, process.argv, { json: false });
  }
  return m.exitCode;
}

export default async function status(opts: { env?: string; allEnvs?: boolean }, globals: GlobalOptions): Promise<number> {
  try {
    if (opts.allEnvs) {
      if (opts.env !== undefined) {
        throw new PlatformError('usage', `--all-envs and --env ${opts.env} given together`, { value: opts.env, hint: 'use --env <name> for one env, or --all-envs for every env in stacks/' });
      }
      return await allEnvs(globals);
    }
    if (opts.env === undefined) {
      throw new PlatformError('usage', "required option '-e, --env <name>' not specified", { hint: 'name the env (platform status --env stg), or pass --all-envs for every env' });
    }
    const session = await openSession(globals, opts.env);
    const rows = await rowsOf(session);
    if (outputMode(globals) === 'json') {
      for (const r of rows) process.stdout.write(JSON.stringify({ type: 'phase', ...r }) + '\n');
      process.stdout.write(JSON.stringify({ type: 'summary', env: session.env.name, engine: session.engine.kind, deployed: rows.filter((r) => r.deployed).length, stale: rows.filter((r) => r.freshness === 'stale').length }) + '\n');
      return 0;
    }
    const lines = rows.map((r) => {
      const parts = [
        `${String(r.phase).padStart(2)} ${r.slug.padEnd(14)}`,
        // An organization-scoped phase is one stack for every env: say so, and which.
        ...(r.scope === 'organization' ? [`organization (stack ${r.stack}, shared by every env)`] : []),
        r.state === 'no-program' ? 'no program yet' : r.deployed ? `deployed (${r.state})` : r.state === 'destroyed' ? 'destroyed' : 'not deployed',
      ];
      if (r.freshness !== 'n/a') parts.push(r.staleBecause ? `${r.freshness}: ${r.staleBecause}` : r.freshness);
      if (r.gates !== 'n/a') parts.push(`gates ${r.gates}${r.gateDetail ? ` (${r.gateDetail})` : ''}`);
      if (r.pendingOperations) parts.push(`${r.pendingOperations} pending operation(s): platform repair --phase ${r.phase} --env ${session.env.name}`);
      if (r.drift) parts.push(r.drift.resources ? `drift: ${r.drift.resources} resource(s) changed outside the CLI (at ${r.drift.at})` : `no drift (at ${r.drift.at})`);
      if (r.promotion) parts.push(r.promotion.already ? `runs these sources already` : r.promotion.promotable ? `promotable from ${r.promotion.from}` : `not promotable: ${r.promotion.why}`);
      if (r.lastRun) parts.push(`last run ${r.lastRun.at} (${r.lastRun.engine})`);
      return parts.join(' · ');
    });
    process.stdout.write(`env ${session.env.name} · engine ${session.engine.kind}\n${lines.join('\n')}\n`);
    return 0;
  } catch (e) {
    return report(e, process.argv);
  }
}
