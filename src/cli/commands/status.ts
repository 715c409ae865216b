/** `platform status`: every phase of an env (read-only). */
import { phaseStatuses } from '../../orchestrator/status.js';
import type { GlobalOptions } from '../main.js';
import { createRecordStore, openSession, organizationPorts, outputMode } from '../services.js';
import { DirSourceHasher } from '../../state/source-hasher.js';
import { join } from 'node:path';
import { report } from '../report.js';
import { promotionPort } from '../promotion-port.js';

export default async function status(opts: { env: string }, globals: GlobalOptions): Promise<number> {
  try {
    const session = await openSession(globals, opts.env);
    const rows = await phaseStatuses(session.env, session.registry, {
      engine: session.engine,
      records: await createRecordStore(session),
      sources: new DirSourceHasher(join(session.repoRoot, 'programs')),
      organization: await organizationPorts(session),
      promotion: await promotionPort(session),
    });
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
