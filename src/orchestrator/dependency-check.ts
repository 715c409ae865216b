/**
 * Dependency checks, run before any engine call that changes anything. For each selected phase,
 * every upstream phase (direct or transitive) that is not itself selected must:
 * 1. have a record whose last update succeeded (and, for a real run, was not merely simulated);
 * 2. have a stack that exists, whose last update succeeded, with no pending operations
 *    (with the real engine those are a recovery problem: exit 5 and `platform repair`; simulated ones
 *    stand for nothing real, so a new `up` of that phase is the fix);
 * 3. have outputs that pass its schema;
 * 4. have passed its gates for the fingerprint it was deployed with (a simulated run accepts gates
 *    skipped as simulated; a real run never does).
 * The first problem found (in DAG order) is thrown, naming the upstream phase, what is wrong and the
 * command that fixes it. The outputs read here are returned so the run does not read them twice.
 *
 * With an engine that reads its checkpoint (`state`) and a record holding the state hash of the
 * upstream's last update, 2 and 3 come from one read that decrypts nothing: a stack that still hashes
 * as it did after that successful update exists, succeeded and has nothing pending; its outputs are
 * checked with secrets on a placeholder (and on their real values if the schema refuses that). Any
 * difference (a stack changed behind the CLI's back) takes the full path above.
 */
import { PlatformError, isPlatformError } from '../core/errors.js';
import { PhaseDag } from '../core/dag.js';
import type { AnyPhase, PhaseId } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import type { OutputMap, PhaseRecord } from '../core/ports.js';
import type { GateResult } from '../core/gate.js';
import { engineFlag, fixCommand, phaseSpec } from './context.js';
import { hasProgram } from '../core/phase.js';
import { targetOf } from './scope.js';
import type { OrchestratorPorts } from './ports.js';
import { validateOutputs } from './outputs.js';

export interface UpstreamState {
  outputs: OutputMap;
  record: PhaseRecord;
  /** Set when `outputs` were read sealed (no secret decrypted): the record's outputs hash. */
  sealedHash?: string;
}

export function gatesAccepted(record: PhaseRecord, simulatedRun: boolean): { ok: boolean; why?: string } {
  if (!record.gates) return { ok: false, why: 'its gates have not run' };
  if (record.gates.fingerprint !== record.fingerprint) {
    return { ok: false, why: 'its gates ran for an older version of it' };
  }
  const bad = record.gates.results.find((r: GateResult) => !(r.status === 'pass' || (simulatedRun && r.status === 'skipped')));
  if (bad) {
    return { ok: false, why: bad.status === 'fail' ? `its gate '${bad.gate}' failed` : `its gate '${bad.gate}' was skipped (${bad.hint ?? 'no reason'})` };
  }
  return { ok: true };
}

export async function checkUpstream(
  phase: AnyPhase,
  upstream: AnyPhase,
  env: EnvConfig,
  ports: OrchestratorPorts,
): Promise<UpstreamState> {
  const envName = env.name;
  const simulatedRun = ports.engine.kind === 'simulate';
  const flag = engineFlag(env, ports);
  const fix = fixCommand('up', upstream.id, envName, flag);
  const fail = (what: string, hint = `run: ${fix}`) =>
    new PlatformError('dependency-check', `phase ${phase.id} (${phase.slug}) needs phase ${upstream.id} (${upstream.slug}): ${what}`, {
      value: String(upstream.id),
      hint,
    });

  // An organization-scoped upstream (phase 0) is read from the organization's stack and records.
  const t = targetOf(upstream, env, ports);
  const where = t.scope === 'organization' ? `for the organization (stack ${t.ref.name})` : `in env ${envName}`;
  const record = await t.records.read(t.env.name, upstream.id);
  if (!record || record.status === 'destroyed') throw fail(`it has not been deployed ${where}`);
  if (record.status === 'in-progress') {
    throw new PlatformError('recovery-needed', `phase ${phase.id} needs phase ${upstream.id}: its last update never finished`, {
      value: String(upstream.id),
      hint: `run: platform repair --phase ${upstream.id} --env ${envName}${flag}`,
    });
  }
  if (record.status !== 'succeeded') throw fail(`its last update ${record.status}`);
  if (record.engine === 'simulate' && !simulatedRun) {
    throw fail('it was only simulated; simulated outputs never feed a real update', `run: ${fix} --engine ${ports.engine.kind}`);
  }

  const gates = gatesAccepted(record, simulatedRun);
  // One read, no secret decrypted, when the engine reads its checkpoint and the stack still hashes as
  // it did after its recorded update (then it exists, its update succeeded, nothing is pending).
  if (t.engine.state && record.stateHash && record.outputsHash) {
    const st = await t.engine.state(t.ref, t.env);
    if (st.exists && st.pendingOperations.length === 0 && !st.lockedBy && st.stateHash === record.stateHash) {
      // Secret fields are checked on a placeholder; if the schema refuses that, on their real values.
      if (validateOutputs(upstream, withPlaceholderValues(st.outputs)) === undefined) {
        if (!gates.ok) throw fail(gates.why!, `run: platform verify --phase ${upstream.id} --env ${envName}${flag}`);
        return { outputs: st.outputs, record, sealedHash: record.outputsHash };
      }
    }
  }

  const info = await t.engine.info(t.ref, t.env);
  if (!info.exists) throw fail(`its stack ${t.ref.name} does not exist in the backend ${t.env.backend.url}`);
  if (info.pendingOperations.length > 0 && simulatedRun) {
    // Simulated pending operations stand for nothing real: a successful update supersedes them.
    throw fail(`its last simulated update was interrupted (${info.pendingOperations.length} pending operation(s))`);
  }
  if (info.pendingOperations.length > 0) {
    throw new PlatformError(
      'recovery-needed',
      `phase ${phase.id} needs phase ${upstream.id}: its stack has ${info.pendingOperations.length} pending operation(s) from an interrupted update`,
      { value: String(upstream.id), hint: `run: platform repair --phase ${upstream.id} --env ${envName}${flag}` },
    );
  }
  if (info.lastResult && info.lastResult !== 'succeeded') throw fail(`its last update ${info.lastResult}`);

  const outputs = await t.engine.outputs(t.ref, t.env);
  const problem = validateOutputs(upstream, outputs);
  if (problem) throw fail(`its outputs do not match its contract: ${problem}`);

  if (!gates.ok) throw fail(gates.why!, `run: platform verify --phase ${upstream.id} --env ${envName}${flag}`);
  return { outputs, record };
}

/** Sealed secret values replaced by a placeholder string (for a schema check that needs no plaintext). */
function withPlaceholderValues(outputs: OutputMap): OutputMap {
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.sealed ? { ...o, value: '[secret]' } : o]));
}

/**
 * Checks every unselected upstream of every selected phase — direct and transitive, nearest first —
 * and returns their states by id.
 */
export async function checkDependencies(
  selected: readonly AnyPhase[],
  byId: ReadonlyMap<PhaseId, AnyPhase>,
  env: EnvConfig,
  ports: OrchestratorPorts,
): Promise<Map<PhaseId, UpstreamState>> {
  const dag = new PhaseDag([...byId.values()]);
  const selectedIds = new Set(selected.map((p) => p.id));
  const states = new Map<PhaseId, UpstreamState>();
  for (const phase of selected) {
    const upstream = [...dag.upstream(phase.id)].sort((a, b) => b - a);
    for (const dep of upstream) {
      if (selectedIds.has(dep) || states.has(dep)) continue;
      try {
        states.set(dep, await checkUpstream(phase, byId.get(dep)!, env, ports));
      } catch (e) {
        throw await withWholeChain(e, phase, byId, selectedIds, env, ports);
      }
    }
  }
  return states;
}

/**
 * An upstream that was never deployed: the hint covers the whole missing chain in one command
 * (`up --phase 0..2`, not `--phase 1` that would then fail on phase 0), and never suggests `up` for a
 * phase without a program (it names that phase instead).
 */
async function withWholeChain(
  e: unknown,
  phase: AnyPhase,
  byId: ReadonlyMap<PhaseId, AnyPhase>,
  selectedIds: ReadonlySet<PhaseId>,
  env: EnvConfig,
  ports: OrchestratorPorts,
): Promise<unknown> {
  if (!isPlatformError(e) || e.code !== 'dependency-check' || !/has not been deployed/.test(e.message)) return e;
  const dag = new PhaseDag([...byId.values()]);
  const missing: PhaseId[] = [];
  for (const id of dag.upstream(phase.id)) {
    if (selectedIds.has(id)) continue;
    const up = byId.get(id)!;
    const t = targetOf(up, env, ports);
    const rec = await t.records.read(t.env.name, id);
    if (!rec || rec.status === 'destroyed') missing.push(id);
  }
  const programless = missing.map((id) => byId.get(id)!).find((p) => !hasProgram(p));
  const hint = programless
    ? `phase ${programless.id} (${programless.slug}) has no program yet, so phase ${phase.id} cannot be deployed yet`
    : `run: ${fixCommand('up', phaseSpec([...missing, ...selectedIds]), env.name, engineFlag(env, ports))}`;
  return new PlatformError(e.code, e.message, { value: e.value, hint, cause: e.cause, exitCode: e.exitCode });
}
