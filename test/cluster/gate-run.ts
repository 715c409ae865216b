/**
 * Running phase 2's gates against a test cluster: the gate as defined but polled fast, with the real
 * probes (the Kubernetes probe on the cluster's kubeconfig; AWS calls to an emulator when given), and
 * writing custom resource status conditions the way a controller does (status subresource).
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { gates } from '../../programs/02-cluster/gates.js';
import { e2eGates } from '../../programs/02-cluster/gates-e2e.js';
import type { EnvConfig } from '../../src/core/env.js';
import type { Gate, GateResult } from '../../src/core/gate.js';
import { createProbes, type CreateProbesOptions } from '../../src/gates/probes/index.js';
import { runGates } from '../../src/gates/run-gates.js';
import { systemClock } from '../../src/state/clock.js';

export const gateNamed = (n: string): Gate<any, any> => [...gates, ...e2eGates].find((g) => g.name === n)!;

/** The gate as defined, polled fast: the same check, shorter waits. */
export const quick = (g: Gate<any, any>, timeoutMs = 30_000): Gate<any, any> => ({ ...g, after: [], intervalMs: 500, timeoutMs });

/** Runs one gate of a phase-2-shaped phase with real probes and the real clock. */
export async function runGate(env: EnvConfig, g: Gate<any, any>, outputs: Record<string, unknown> & { kubeconfig: string }, probeOpts: CreateProbesOptions = {}): Promise<GateResult> {
  const phase = { id: 2 as const, gates: [g] };
  const [r] = await runGates(phase, {
    env, outputs, probes: createProbes(env, outputs, probeOpts), clock: systemClock, signal: new AbortController().signal, simulated: false, emit: () => {}, secretValues: [outputs.kubeconfig],
  });
  return r!;
}

export interface TestCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/**
 * Writes status conditions through the status subresource (what a controller would do), observing
 * the object's current generation unless `observedGeneration` is given.
 */
export async function setConditions(
  custom: CustomObjectsApi,
  target: { group: string; version: string; plural: string; name: string; namespace?: string },
  conditions: readonly (string | TestCondition)[],
  observedGeneration?: number,
): Promise<void> {
  const { group, version, plural, name, namespace } = target;
  const now = new Date().toISOString();
  const read = namespace
    ? await custom.getNamespacedCustomObject({ group, version, namespace, plural, name })
    : await custom.getClusterCustomObject({ group, version, plural, name });
  const obj = read as { metadata: { generation?: number }; status?: Record<string, unknown> };
  const gen = observedGeneration ?? obj.metadata.generation;
  obj.status = {
    ...(obj.status ?? {}),
    conditions: conditions.map((c) => {
      const cond: TestCondition = typeof c === 'string' ? { type: c, status: 'True' } : c;
      return { reason: 'TestSet', message: `set by the test (no ${group} controller runs here)`, ...cond, lastTransitionTime: now, observedGeneration: gen };
    }),
  };
  if (namespace) await custom.replaceNamespacedCustomObjectStatus({ group, version, namespace, plural, name, body: obj });
  else await custom.replaceClusterCustomObjectStatus({ group, version, plural, name, body: obj });
}
