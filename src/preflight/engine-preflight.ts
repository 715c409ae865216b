/**
 * Puts the cluster preflight (cluster-endpoint.ts) in front of a real engine: preview, up and destroy
 * of a phase that talks to Kubernetes first probe phase 2's `clusterEndpoint` (or, when phase 2 has
 * no outputs, the endpoint EKS reports for the env's cluster, if it exists). Every other method,
 * and everything the engine object carries (running(), forceStop()...), passes through unchanged.
 * Never applied to the simulate engine.
 */
import { isPlatformError } from '../core/errors.js';
import { stackName, type AnyPhase } from '../core/phase.js';
import type { Engine, EngineRequest } from '../core/ports.js';
import { KUBERNETES_PHASES, preflightCluster, type PreflightOptions } from './cluster-endpoint.js';

export interface EnginePreflightOptions extends Pick<PreflightOptions, 'probe' | 'timeoutMs'> {
  /** The endpoint EKS reports when phase 2 has no outputs (undefined: no such cluster). */
  describeEndpoint?: (env: EngineRequest['env']) => Promise<string | undefined>;
}

export function withClusterPreflight(engine: Engine, registry: readonly AnyPhase[], opts: EnginePreflightOptions = {}): Engine {
  const cluster = registry.find((p) => p.id === 2);
  if (!cluster || engine.kind !== 'pulumi') return engine;
  const check = async (req: Pick<EngineRequest, 'env' | 'phase'>) => {
    if (!KUBERNETES_PHASES.has(req.phase.id)) return;
    await preflightCluster(req.env, req.phase.id, {
      ...(opts.probe ? { probe: opts.probe } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      endpoint: async () => {
        let recorded: string | undefined;
        try {
          const out = await engine.outputs({ env: req.env.name, phase: cluster.id, slug: cluster.slug, name: stackName(req.env.name, cluster) }, req.env);
          const v = out.clusterEndpoint?.value;
          recorded = typeof v === 'string' && v !== '' ? v : undefined;
        } catch (e) {
          if (!(isPlatformError(e) && e.code === 'stack-not-found')) throw e;
        }
        // No outputs yet: the cluster may still exist (an earlier up created it, then failed).
        return recorded ?? (await opts.describeEndpoint?.(req.env));
      },
    });
  };
  return new Proxy(engine, {
    get(target, prop, receiver) {
      if (prop === 'preview' || prop === 'up' || prop === 'destroy') {
        const op = Reflect.get(target, prop, receiver) as (req: EngineRequest) => Promise<unknown>;
        return async (req: EngineRequest) => {
          await check(req);
          return op.call(target, req);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
