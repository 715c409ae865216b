/** The real engine's public shapes: its options and what it offers beyond the Engine port. */
import type { EnvConfig } from '../../core/env.js';
import type { Engine, EngineRequest, EngineResult, StackRef } from '../../core/ports.js';
import type { PulumiEngineOptions } from './settings.js';
import type { Deployment } from './state.js';

/** The options of the real engine. */
export interface CreatePulumiEngineOptions extends PulumiEngineOptions {
  /**
   * Called before every mutating operation (up, destroy, refresh); throws to refuse. The CLI passes
   * the account guard (account-guard.ts) here.
   */
  beforeMutation?: (env: EnvConfig, stack: StackRef) => Promise<void>;
  now?: () => number;
  /** One line for the user about something the engine set right on its own, outside a run's events. */
  notice?: (message: string) => void;
}

/** The engine port plus what only the real engine has. */
export interface PulumiEngine extends Engine {
  readonly kind: 'pulumi';
  /** Reads real resource state into the stack (refresh). Clears pending creates only when asked. */
  refresh(req: Omit<EngineRequest, 'inputs'>, opts?: { clearPendingCreates?: boolean }): Promise<EngineResult>;
  /** Kills every running CLI child now (a second Ctrl-C). */
  forceStop(): void;
  /** The CLI children running now. */
  running(): { pid: number; args: readonly string[] }[];
  /** The raw checkpoint (secrets as ciphertext), for repair. */
  exportState(stack: StackRef, env: EnvConfig): Promise<Deployment>;
  /** Replaces the checkpoint (drops pending operations), for repair. Backs up first. */
  importState(stack: StackRef, env: EnvConfig, dep: Deployment): Promise<void>;
  /** Clears the stack's lock files (`pulumi cancel`), for repair of a lock left by a killed process. */
  clearLocks(stack: StackRef, env: EnvConfig): Promise<void>;
  /** The engine version in use (`pulumi version`). */
  version(): Promise<string>;
}
