/**
 * The phase contract. A phase is data: id, slug, title, true dependencies, how its program inputs are
 * built from the env file and validated upstream outputs, the schema of its outputs (secret fields
 * listed), its gates, and its program. Programs export functions and do nothing at import.
 */
import type { z } from 'zod';
import type { EnvConfig } from './env.js';
import type { Gate } from './gate.js';
import type { OrganizationConfig, PhaseScope } from './organization.js';

export type { PhaseScope } from './organization.js';
import type { ResourceLookup } from './lookup.js';

export const PHASE_IDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
export type PhaseId = (typeof PHASE_IDS)[number];
export const MIN_PHASE = 0;
export const MAX_PHASE = 10;

/** Validated outputs of every upstream phase, by id. Values are plain (secrets unwrapped). */
export type UpstreamOutputs = Partial<Record<PhaseId, Record<string, unknown>>>;

export interface PhaseContext {
  /** The env the run is for (an organization-scoped phase reads `organization` instead). */
  env: EnvConfig;
  /** The organization file (stacks/organization.yaml, or organization.local.yaml for `local`). */
  organization?: OrganizationConfig;
  /** Outputs of the phases this one depends on, validated against their schemas. */
  upstream: UpstreamOutputs;
  /** True when the engine is `simulate`: upstream values are synthetic and must never feed a real update. */
  simulated: boolean;
}

/** The Pulumi program of a phase, as a function. It returns the stack outputs. */
export type PhaseProgram<In> = (inputs: In) => Promise<Record<string, unknown>>;

/** A change from the original plan that `platform phases` shows, with its reason. */
export interface PlanChange {
  what: string;
  why: string;
}

export interface PhaseDefinition<In = unknown, Out extends Record<string, unknown> = Record<string, unknown>> {
  id: PhaseId;
  slug: string;
  title: string;
  /**
   * `env` (default): one stack per env, `<env>-<NN>-<slug>`. `organization`: one stack for the whole
   * organization, `org-<NN>-<slug>` (`org-local-...` for the local env's simulated one), configured
   * by the organization file, locked and recorded once, read by every env's dependents.
   */
  scope?: PhaseScope;
  /**
   * `import.meta.url` of the file that exports this definition as `phase`. The simulate engine's
   * worker imports it in a fresh process (functions cannot cross a process boundary).
   */
  module: string;
  /** True dependencies: only lower ids. The DAG, not "N-1". */
  dependsOn: readonly PhaseId[];
  /** Builds the program's inputs from the env file and upstream outputs. Pure. */
  inputs(ctx: PhaseContext): In;
  /** Validates what the engine returns. */
  outputs: z.ZodType<Out>;
  /** Output keys whose values are secret (never printed, journaled or put in --json). */
  secretOutputs: readonly string[];
  /**
   * Loads the phase's gates (live verification after up) on demand: real gates pull in cloud SDK
   * clients (~0.5 s), which a no-op run or `platform phases` must not pay for. Absent: no gates.
   */
  loadGates?: () => Promise<readonly Gate<Out, any>[]>;
  /**
   * Loads the program. Absent when the phase has no program yet: selecting it fails with
   * "phase N has no program yet" and nothing pretends otherwise.
   */
  loadProgram?: () => Promise<PhaseProgram<In>>;
  /**
   * Loads lookups for the resource types this phase's program creates, used by `platform repair` to
   * find out whether an interrupted create happened (src/core/lookup.ts). Types without one are
   * reported as unresolved, never dropped on a guess.
   */
  loadLookups?: () => Promise<readonly ResourceLookup[]>;
  /** Changes from the original plan, shown by `platform phases`. */
  planChanges?: readonly PlanChange[];
}

export type AnyPhase = PhaseDefinition<any, any>;

/** The phase's scope; `env` unless it declares otherwise. */
export function phaseScope(phase: Pick<PhaseDefinition, 'scope'>): PhaseScope {
  return phase.scope ?? 'env';
}

/** `<target>-<NN>-<slug>`; the target is an env name, or `org`/`org-local` for organization-scoped phases. */
export function stackName(env: string, phase: Pick<PhaseDefinition, 'id' | 'slug'>): string {
  return `${env}-${String(phase.id).padStart(2, '0')}-${phase.slug}`;
}

export function folderName(phase: Pick<PhaseDefinition, 'id' | 'slug'>): string {
  return `${String(phase.id).padStart(2, '0')}-${phase.slug}`;
}

/** The phase's gates (none when it declares no loader). */
export async function phaseGates(phase: AnyPhase): Promise<readonly Gate<any, any>[]> {
  return phase.loadGates ? phase.loadGates() : [];
}

export function hasGates(phase: AnyPhase): boolean {
  return Boolean(phase.loadGates);
}

export function hasProgram(phase: AnyPhase): boolean {
  return typeof phase.loadProgram === 'function';
}
