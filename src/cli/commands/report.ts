/**
 * `platform report`: the posture report of an env, written as Markdown and HTML under
 * `.platform/reports/` (paths on stdout; one JSON line with --json). Sources that cannot be read
 * are in the report as unavailable, with the reason; the command fails only on bad input.
 */
import type { GlobalOptions } from '../main.js';
import { createRecordStore, openSession, outputMode, recordStoreAt } from '../services.js';
import { report as reportError } from '../report.js';
import { planOffline } from '../offline-plan.js';

export default async function report(opts: { env: string }, globals: GlobalOptions): Promise<number> {
  try {
    const session = await openSession(globals, opts.env);
    const [{ collectReport, renderHtml, renderMarkdown, writeReport, awsSources }, { loadPrices }, { checkPlatform }] = await Promise.all([
      import('../../report/index.js'),
      import('../../cost/index.js'),
      import('../../checks/index.js'),
    ]);
    const now = new Date();
    const { env, registry } = session;
    const doc = await collectReport({
      env,
      engine: session.engine.kind,
      registry,
      records: { env: await createRecordStore(session), organization: { store: await recordStoreAt(session.orgPaths, session.orgTarget), name: session.orgTarget.name } },
      plan: () => planOffline({ repoRoot: session.repoRoot, env, organization: session.organization, registry, ids: registry.map((p) => p.id) }),
      checks: (resources) => checkPlatform(resources, env, now.getTime(), { root: session.repoRoot }),
      prices: loadPrices(),
      ...(session.engine.kind === 'pulumi' ? { aws: awsSources(env, { now, ...(process.env.PLATFORM_AWS_ENDPOINT ? { endpoint: process.env.PLATFORM_AWS_ENDPOINT } : {}) }) } : {}),
      now,
    });
    const files = await writeReport(session.paths.platformDir, env.name, doc.generatedAt, renderMarkdown(doc), renderHtml(doc));
    const state = (x: { available?: boolean }) => (x.available === false ? 'unavailable' : 'read');
    const summary = `report ${env.name}: gates of ${doc.gates.length} phase(s), ${'findings' in doc.checks ? `${doc.checks.findings.length} finding(s)` : 'checks unavailable'}, Security Hub ${state(doc.securityHub)}, GuardDuty ${state(doc.guardDuty)}, backups ${state(doc.backup)}, DR backups ${state(doc.drBackup)}, cost ${'totalMonthlyUsd' in doc.cost ? `${doc.cost.totalMonthlyUsd.toFixed(2)} USD/month` : 'unavailable'}`;
    if (outputMode(globals) === 'json') process.stdout.write(JSON.stringify({ type: 'report', env: env.name, markdown: files.markdown, html: files.html, summary }) + '\n');
    else process.stdout.write(`${files.markdown}\n${files.html}\n${summary}\n`);
    return 0;
  } catch (e) {
    return reportError(e, process.argv);
  }
}
