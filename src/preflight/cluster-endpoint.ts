/**
 * The private-API preflight: before a real-engine operation on a phase that talks to Kubernetes, open
 * a TLS connection to the cluster's API endpoint with a short timeout. If it cannot be reached, stop
 * at once (exit 2, `endpoint-unreachable`) naming the access path the env file allows, instead of
 * letting the Kubernetes provider and Helm time out minutes later.
 *
 * Rules:
 * - Only phases that deploy into the cluster (KUBERNETES_PHASES) are probed; the simulate engine is
 *   never probed (it never reaches a cluster).
 * - The endpoint comes from phase 2's outputs, else from EKS (a cluster an earlier failed update
 *   created); when neither has one (phase 2's first update creates the cluster) there is nothing to
 *   probe and the preflight passes.
 * - Reachable means a completed TLS handshake. The certificate is not verified here (EKS's CA is not
 *   in the system store; the Kubernetes clients verify it with the cluster CA) and nothing is sent.
 * - The access path: a private-only endpoint (stg, prod) is reached from inside the VPC, from the
 *   runner phase 1 creates; a public endpoint (dev) admits only `cluster.publicAccessCidrs`.
 */
import { connect } from 'node:tls';
import type { EnvConfig } from '../core/env.js';
import { PlatformError } from '../core/errors.js';
import type { PhaseId } from '../core/phase.js';

/**
 * Phases whose programs deploy into the cluster or whose destroy removes releases from it: 2 (add-ons,
 * charts), 3 gitops, 4 data, 5 apps, 6 edge, 7 observability, 8 resilience, 10 hardening. Phase 9
 * (EventBridge, Lambda) and phases 0-1 only talk to AWS.
 */
export const KUBERNETES_PHASES: ReadonlySet<PhaseId> = new Set<PhaseId>([2, 3, 4, 5, 6, 7, 8, 10] as PhaseId[]);

export const PREFLIGHT_TIMEOUT_MS = 5_000;
export const RUNNER_DOC = 'docs/runner-access.md';

export type ProbeResult = { reachable: true } | { reachable: false; reason: 'refused' | 'timeout' | 'dns' | 'error'; detail: string };

/** Opens a TLS connection to the URL's host and port (443 by default) and closes it. Never throws. */
export function probeTls(url: string, timeoutMs = PREFLIGHT_TIMEOUT_MS): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ reachable: false, reason: 'error', detail: `'${url}' is not a URL` });
      return;
    }
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = Number(u.port || 443);
    let done = false;
    const finish = (r: ProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const socket = connect({ host, port, servername: /^[\d.:]+$/.test(host) ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    const timer = setTimeout(() => finish({ reachable: false, reason: 'timeout', detail: `no TLS handshake with ${host}:${port} within ${timeoutMs / 1000} s` }), timeoutMs);
    socket.once('secureConnect', () => finish({ reachable: true }));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const reason = e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? 'dns' : 'error';
      finish({ reachable: false, reason, detail: `${host}:${port}: ${e.code ?? e.message}` });
    });
  });
}

/** How this env's cluster API is meant to be reached, as a hint. */
export function accessPathHint(env: EnvConfig): string {
  const file = `stacks/${env.name}.yaml`;
  if (!env.cluster.endpointPublicAccess) {
    return `the API of ${env.cluster.name} is private (${file}: cluster.endpointPublicAccess: false): run from inside its VPC, on the runner phase 1 creates (its security group is phase 1's runnerSecurityGroupId output); see ${RUNNER_DOC}`;
  }
  return `the public API of ${env.cluster.name} admits only cluster.publicAccessCidrs in ${file} (${env.cluster.publicAccessCidrs.join(', ')}): run from one of them or add your egress address there and re-run phase 2; see ${RUNNER_DOC}`;
}

export interface PreflightOptions {
  /** Phase 2's `clusterEndpoint` output, or undefined when phase 2 has no outputs yet. */
  endpoint: () => Promise<string | undefined>;
  timeoutMs?: number;
  probe?: typeof probeTls;
}

/** Resolves when the phase needs no cluster, phase 2 has no endpoint yet, or the endpoint answers; else throws `endpoint-unreachable`. */
export async function preflightCluster(env: EnvConfig, phase: PhaseId, opts: PreflightOptions): Promise<'not-needed' | 'no-cluster-yet' | 'reachable'> {
  if (!KUBERNETES_PHASES.has(phase)) return 'not-needed';
  const endpoint = await opts.endpoint();
  if (!endpoint) return 'no-cluster-yet';
  const r = await (opts.probe ?? probeTls)(endpoint, opts.timeoutMs ?? PREFLIGHT_TIMEOUT_MS);
  if (r.reachable) return 'reachable';
  throw new PlatformError('endpoint-unreachable', `phase ${phase} needs the Kubernetes API of env '${env.name}', and ${endpoint} cannot be reached from here (${r.reason}: ${r.detail}); nothing was changed`, {
    value: endpoint,
    hint: accessPathHint(env),
  });
}
