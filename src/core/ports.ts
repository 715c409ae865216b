/**
 * Ports: how the orchestrator talks to the world. Engines, stores, hosts and clocks implement
 * these; the orchestrator imports nothing else with side effects.
 */
import type { AnyPhase, PhaseId } from './phase.js';
import type { EnvConfig } from './env.js';
import type { ChangeCounts, EngineKind, PlatformEvent } from './events.js';
import type { GateResult } from './gate.js';

/** One stack: a phase in an env. */
export interface StackRef {
  env: string;
  phase: PhaseId;
  slug: string;
  /** `<env>-<NN>-<slug>` */
  name: string;
}

/** A stack output as the engine returns it. */
export interface OutputValue {
  value: unknown;
  secret: boolean;
  /**
   * A preview's planned output whose value is known only after the update (it depends on resources
   * not created yet), or a secret a preview does not reveal. `value` is then meaningless.
   */
  unknown?: true;
  /**
   * A secret read from the checkpoint without decrypting it (a skip needs no plaintext): `value` is
   * undefined until the outputs are read in full (Engine.outputs).
   */
  sealed?: true;
}
export type OutputMap = Record<string, OutputValue>;

export interface PendingOperation {
  urn: string;
  type: string;
  op: string;
}

export interface StackInfo {
  exists: boolean;
  /** Result of the last update, if any. */
  lastResult?: 'succeeded' | 'failed' | 'in-progress' | 'cancelled';
  lastUpdateAt?: string;
  pendingOperations: PendingOperation[];
  resourceCount: number;
  /**
   * Set while another live process holds the stack (its update is running): who. Pending operations
   * are then that run's steps in flight, not something to repair.
   */
  lockedBy?: string;
}

/**
 * A stack as a skip decision reads it: in one pass, and without decrypting any secret
 * (Engine.state). Only engines that can read their checkpoint that way offer it.
 */
export interface StackState {
  exists: boolean;
  pendingOperations: PendingOperation[];
  /** Set while another live process holds the stack: who. */
  lockedBy?: string;
  /**
   * Hash of what the stack holds (resources with their outputs, secrets as ciphertext, and pending
   * operations). Equal to the hash an `up` returned = nobody changed the stack since.
   */
  stateHash: string;
  /** The stack outputs; secret ones `sealed` (no value). */
  outputs: OutputMap;
  /** Set when the backend could not be read directly and one engine CLI call was made: why. */
  fallback?: string;
}

export interface EngineRequest {
  stack: StackRef;
  env: EnvConfig;
  phase: AnyPhase;
  /** Program inputs built by phase.inputs(ctx). Plain data. */
  inputs: unknown;
  signal: AbortSignal;
  /** The engine emits resource-op and diagnostic events here (phase already set). */
  emit(event: PlatformEvent): void;
}

export interface EngineResult {
  changes: ChangeCounts;
  /** After up: the stack outputs. After preview/destroy: undefined. */
  outputs?: OutputMap;
  /** Every planned resource with its inputs (preview/up), for static checks. */
  resources?: PlannedResource[];
  /** After up, from engines that offer `state`: the stack's state hash (StackState.stateHash). */
  stateHash?: string;
}

export interface PlannedResource {
  phase: PhaseId;
  urn: string;
  type: string;
  name: string;
  /** The resource's inputs as the program passed them (secrets replaced by "[secret]"). */
  inputs: Record<string, unknown>;
  /** Input names whose values were Pulumi secrets (their values above are "[secret]"). */
  secretInputs?: string[];
  parent?: string;
}

export interface Engine {
  readonly kind: EngineKind;
  info(stack: StackRef, env: EnvConfig): Promise<StackInfo>;
  preview(req: EngineRequest): Promise<EngineResult>;
  /** The only operation that may create a stack. */
  up(req: EngineRequest): Promise<EngineResult>;
  destroy(req: Omit<EngineRequest, 'inputs'>): Promise<EngineResult>;
  /** Throws stack-not-found if the stack does not exist (never creates it). */
  outputs(stack: StackRef, env: EnvConfig): Promise<OutputMap>;
  /**
   * Optional: the stack read in one pass for a skip decision, no secret decrypted. Engines without it
   * are asked `info` and `outputs` instead.
   */
  state?(stack: StackRef, env: EnvConfig): Promise<StackState>;
  /**
   * Optional: the resources the stack holds now, with their inputs (secrets masked), `[]` when the
   * stack does not exist. What `preview` compares a plan against for its cost change.
   */
  deployedResources?(stack: StackRef, env: EnvConfig): Promise<PlannedResource[]>;
  /**
   * Optional: the resources changed outside the CLI, found by reading every resource from its
   * provider and comparing with the state, writing nothing (a refresh in preview mode). Engines
   * where nothing real can drift (simulate) do not offer it.
   */
  drift?(req: Omit<EngineRequest, 'inputs'>): Promise<{ resources: DriftedResource[] }>;
}

/**
 * A resource whose real state differs from what the stack holds: `changed` (the names of the
 * outputs that differ, never their values: they may be secrets) or `deleted` (gone from its provider).
 */
export interface DriftedResource {
  urn: string;
  type: string;
  name: string;
  change: 'changed' | 'deleted';
  properties: string[];
}

/** What is recorded per phase and env, beside the state in the env's backend. */
export interface PhaseRecord {
  env: string;
  phase: PhaseId;
  stack: string;
  engine: EngineKind;
  status: 'succeeded' | 'failed' | 'in-progress' | 'cancelled' | 'destroyed';
  /** Fingerprint of program sources + env config + consumed upstream outputs, at the last up. */
  fingerprint?: string;
  /**
   * Hash of the phase's program sources alone (its folder and programs/shared, not the env values) at
   * the last up: the promotion evidence another env reads (docs/team-mode.md).
   */
  sources?: string;
  /** The gates' results and the fingerprint they verified. */
  gates?: { fingerprint: string; results: GateResult[]; at: string };
  /** Fingerprints of the upstream outputs this phase consumed (id -> outputs hash). */
  consumed?: Partial<Record<PhaseId, string>>;
  /** Hash of this phase's own outputs at its last up (what downstream consumed). */
  outputsHash?: string;
  /**
   * The stack's state hash right after that up (StackState.stateHash): a later skip compares the
   * checkpoint against it, so a stack changed behind the CLI's back runs again.
   */
  stateHash?: string;
  startedAt: string;
  finishedAt?: string;
  runId: string;
  error?: string;
  /** The last `platform drift` of this phase: when, and what it found (empty: no drift). */
  drift?: { at: string; resources: DriftedResource[] };
}

export interface RecordStore {
  read(env: string, phase: PhaseId): Promise<PhaseRecord | undefined>;
  write(record: PhaseRecord): Promise<void>;
  remove(env: string, phase: PhaseId): Promise<void>;
}

/** Append-only run journal. */
export interface Journal {
  readonly runId: string;
  append(event: PlatformEvent): void;
  close(): Promise<void>;
}

/** A held lock; release is idempotent. */
export interface LockHandle {
  release(): Promise<void>;
}
export interface Locker {
  /** Throws a `locked` PlatformError naming the holder when another process holds it. */
  acquire(key: string, purpose: string): Promise<LockHandle>;
}

export interface ConfirmRequest {
  message: string;
  /** The answer when no one can be asked (non-TTY): always false for destructive questions. */
  defaultAnswer: boolean;
}

/** All user-visible output goes through a host. */
export interface Host {
  notify(event: PlatformEvent): void;
  confirm(req: ConfirmRequest): Promise<boolean>;
  /** Called once when the run ends, before the CLI exits. */
  close(): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Hashes of the phase's program sources (folder + programs/shared), supplied by the caller. */
export interface SourceHasher {
  hash(phase: AnyPhase): Promise<string>;
}
