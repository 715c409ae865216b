/**
 * `platform cost`: the monthly estimate of the planned platform (offline: the simulate engine on a
 * scratch folder, never the env's state), per phase, from the price table. A table or `--json`;
 * what could not be priced is listed, and phases that could not be planned are named.
 */
import type { GlobalOptions, SelectionOptions } from '../main.js';
import { outputMode } from '../services.js';
import { report } from '../report.js';
import { loadEnvAndSelection, planOffline } from '../offline-plan.js';

export interface CostOptions extends SelectionOptions {
  env: string;
  prices?: string;
}

export default async function cost(opts: CostOptions, globals: GlobalOptions): Promise<number> {
  try {
    const { estimateCost, loadPrices, renderCostJson, renderCostPlain } = await import('../../cost/index.js');
    const loaded = await loadEnvAndSelection(opts.env, opts);
    const prices = opts.prices !== undefined ? await (await import('../../cost/load-table.js')).loadPriceFile(opts.prices) : loadPrices();
    const plan = await planOffline(loaded);
    const estimate = estimateCost(plan.resources, plan.env, prices);
    if (outputMode(globals) === 'json') {
      process.stdout.write(JSON.stringify(renderCostJson(estimate, { phasesPlanned: plan.planned, notPlanned: plan.notPlanned })) + '\n');
    } else {
      const names = new Map(plan.registry.map((p) => [p.id, p.slug] as const));
      const lines = renderCostPlain(estimate, names);
      for (const n of plan.notPlanned) lines.push(`not planned, not priced: phase ${n.phase} ${names.get(n.phase) ?? ''}: ${n.reason}`);
      process.stdout.write(lines.join('\n') + '\n');
    }
    return 0;
  } catch (e) {
    return report(e, process.argv);
  }
}
