/** `platform phases`: the registry as a table (or JSON): dependencies, program or not, and each phase's design decisions (where it departs from the reference spec, with the reason; "the plan" named a document users do not have). */
import { hasProgram, phaseGates, phaseScope } from '../../core/phase.js';
import type { GlobalOptions } from '../main.js';
import { loadRegistry, outputMode } from '../services.js';
import { report } from '../report.js';

export default async function phases(_opts: unknown, globals: GlobalOptions): Promise<number> {
  try {
    const registry = await loadRegistry();
    // Gates load lazily (they pull in cloud SDK clients); listing them is this command's job.
    const gates = new Map(await Promise.all(registry.map(async (p) => [p.id, (await phaseGates(p)).map((g) => g.name)] as const)));
    if (outputMode(globals) === 'json') {
      for (const p of registry) {
        process.stdout.write(
          JSON.stringify({ id: p.id, slug: p.slug, title: p.title, scope: phaseScope(p), dependsOn: p.dependsOn, program: hasProgram(p), gates: gates.get(p.id), planChanges: p.planChanges ?? [] }) + '\n',
        );
      }
      return 0;
    }
    const lines: string[] = [];
    for (const p of registry) {
      const deps = p.dependsOn.length ? `after ${p.dependsOn.join(', ')}` : 'no dependencies';
      const scope = phaseScope(p) === 'organization' ? 'one stack for the organization' : 'per env';
      lines.push(`${String(p.id).padStart(2)}  ${p.slug.padEnd(14)} ${p.title} (${scope}; ${deps}; ${hasProgram(p) ? `${gates.get(p.id)!.length} gates` : 'no program yet'})`);
      for (const c of p.planChanges ?? []) lines.push(`      design decision: ${c.what}, because ${c.why}`);
    }
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  } catch (e) {
    return report(e, process.argv);
  }
}
