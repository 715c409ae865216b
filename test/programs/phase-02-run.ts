/**
 * Evaluates phase 2's program under Pulumi mocks once per env and process (the phase-02 test files
 * share the runs), with phase-1 outputs of the contract's shape.
 */
import { strict as assert } from 'node:assert';
import type { EnvConfig } from '../../src/core/env.js';
import { evaluateProgram, type CapturedResource, type Evaluation } from '../../src/engine/simulate/evaluate.js';
import { phase, phase2Outputs, type Phase2Inputs, type Phase2Outputs } from '../../programs/02-cluster/phase.js';
import { phase1OutputsFor } from './phase-02-upstream.js';
import { organizationFor } from '../helpers/env-fixtures.js';

export interface Run {
  env: EnvConfig;
  inputs: Phase2Inputs;
  ev: Evaluation;
  out: Phase2Outputs;
}

const runs = new Map<string, Promise<Run>>();

/** Evaluates the program once per env (sequentially: each `before` awaits its own run). */
export function runPhase2(env: EnvConfig, upstream: Record<number, Record<string, unknown>> = {}): Promise<Run> {
  const key = `${env.name}:${JSON.stringify(upstream)}`;
  if (!runs.has(key)) runs.set(key, evaluate(env, upstream));
  return runs.get(key)!;
}

async function evaluate(env: EnvConfig, upstream: Record<number, Record<string, unknown>>): Promise<Run> {
  const inputs = phase.inputs({ env, organization: organizationFor(env).config, upstream: { 1: phase1OutputsFor(env), ...upstream }, simulated: true });
  const program = await phase.loadProgram!();
  const stack = `${env.name}-02-cluster`;
  const ev = await evaluateProgram({
    stack,
    synthetic: { accountId: env.accountId, region: env.regions.primary, stack },
    program: () => program(inputs),
  });
  return { env, inputs, ev, out: phase2Outputs.parse(ev.outputs) };
}

export const byType = (ev: Evaluation, type: string) => ev.resources.filter((r) => r.type === type);
export const one = (ev: Evaluation, type: string, name?: string): CapturedResource => {
  const found = byType(ev, type).filter((r) => name === undefined || r.name === name);
  assert.equal(found.length, 1, `exactly one ${type}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0]!;
};
/** Custom resources register as `kubernetes:<apiVersion>:<kind>`. */
export const customResources = (ev: Evaluation, kind: string) =>
  ev.resources.filter((r) => r.type.startsWith('kubernetes:') && r.type.endsWith(`:${kind}`) && r.inputs.kind === kind);
export const releases = (ev: Evaluation) => byType(ev, 'kubernetes:helm.sh/v3:Release');
export const release = (ev: Evaluation, name: string) => one(ev, 'kubernetes:helm.sh/v3:Release', name);
export const values = (r: CapturedResource) => r.inputs.values as any;
