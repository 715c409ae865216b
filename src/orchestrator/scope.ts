/**
 * Where a phase's stack lives. An env-scoped phase has one stack per env (`<env>-<NN>-<slug>`), run
 * by the env's engine, recorded in the env's record store. An organization-scoped phase (phase 0)
 * has one stack for the whole organization (`org-<NN>-<slug>`, `org-local-...` for the local env),
 * run against the organization file's backend and secrets, recorded beside that state, and locked
 * under that one name, whichever env's command reaches it.
 */
import { PlatformError } from '../core/errors.js';
import { phaseScope, type AnyPhase, type PhaseScope } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import type { OrganizationConfig } from '../core/organization.js';
import type { Engine, RecordStore, StackRef } from '../core/ports.js';
import { stackRef } from './context.js';

/** What the orchestrator needs to reach the organization's stacks. */
export interface OrganizationPorts {
  config: OrganizationConfig;
  /** The organization as a deployment target (see organizationTarget in core/organization.ts). */
  target: EnvConfig;
  engine: Engine;
  records: RecordStore;
}

/** One env sharing the organization, as `destroy` of an organization-scoped phase must inspect it. */
export interface EnvPorts {
  env: EnvConfig;
  engine: Engine;
  records: RecordStore;
}

export interface PhaseTarget {
  scope: PhaseScope;
  /** The env, or the organization target, as engines and records see it. */
  env: EnvConfig;
  engine: Engine;
  records: RecordStore;
  ref: StackRef;
}

/** The stack, engine, records and config of `phase` when a command runs for `env`. */
export function targetOf(
  phase: AnyPhase,
  env: EnvConfig,
  ports: { engine: Engine; records: RecordStore; organization?: OrganizationPorts },
): PhaseTarget {
  if (phaseScope(phase) === 'env') return { scope: 'env', env, engine: ports.engine, records: ports.records, ref: stackRef(env.name, phase) };
  const org = ports.organization;
  if (!org) {
    throw new PlatformError('config-missing', `phase ${phase.id} (${phase.slug}) is organization-scoped, and no organization file was loaded`, {
      value: String(phase.id),
      hint: 'create stacks/organization.yaml (stacks/organization.local.yaml for the local env)',
    });
  }
  return { scope: 'organization', env: org.target, engine: org.engine, records: org.records, ref: stackRef(org.target.name, phase) };
}
