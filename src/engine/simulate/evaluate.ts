/**
 * Evaluates one phase program under Pulumi's mocks, in this process, and captures every resource it
 * registers with its inputs and synthetic state. Rules (from reference/stack.md §4):
 * - call setMocks, then setAllConfig (setMocks does not reset config), then run the program inside
 *   runInPulumiStack, then drain with disconnect() under a timeout (a hung mock would otherwise hang);
 * - one evaluation at a time per process: the simulate engine forks a fresh child per stack, tests
 *   evaluate sequentially.
 */
import * as pulumi from '@pulumi/pulumi';
import { syntheticState, type SyntheticContext } from './synthetic.js';

export interface CapturedResource {
  urn: string;
  type: string;
  name: string;
  /** Inputs as the program passed them (secret values unwrapped; see secretInputs). */
  inputs: Record<string, unknown>;
  /** Synthetic state returned by the mock (inputs plus computed outputs). */
  state: Record<string, unknown>;
  id: string;
  custom: boolean;
  provider?: string;
  parent?: string;
}

export interface CapturedCall {
  token: string;
  args: Record<string, unknown>;
}

export interface Evaluation {
  resources: CapturedResource[];
  calls: CapturedCall[];
  /** Stack outputs, plain values. */
  outputs: Record<string, unknown>;
  /** Output keys whose value was a secret Output. */
  secretOutputs: string[];
}

export interface EvaluateOptions {
  project?: string;
  stack: string;
  config?: Record<string, string>;
  synthetic: SyntheticContext;
  program: () => Promise<Record<string, unknown>>;
  timeoutMs?: number;
}

export async function evaluateProgram(opts: EvaluateOptions): Promise<Evaluation> {
  const project = opts.project ?? 'platform';
  const resources: CapturedResource[] = [];
  const calls: CapturedCall[] = [];
  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const { id, state } = syntheticState(args.type, args.name, args.inputs, opts.synthetic);
      resources.push({
        urn: `urn:pulumi:${opts.stack}::${project}::${args.type}::${args.name}`,
        type: args.type,
        name: args.name,
        inputs: args.inputs,
        state,
        id,
        custom: args.custom ?? true,
        provider: args.provider,
      });
      return { id, state };
    },
    call(args) {
      calls.push({ token: args.token, args: args.inputs });
      return syntheticState(args.token, 'call', args.inputs, opts.synthetic).state;
    },
  };
  await pulumi.runtime.setMocks(mocks, project, opts.stack, false);
  pulumi.runtime.setAllConfig(opts.config ?? {});
  const secretOutputs: string[] = [];
  const raw = await pulumi.runtime.runInPulumiStack(async () => {
    const out = await opts.program();
    for (const [k, v] of Object.entries(out)) {
      if (pulumi.Output.isInstance(v) && (await (v as any).isSecret)) secretOutputs.push(k);
    }
    return out;
  });
  await withTimeout(pulumi.runtime.disconnect(), opts.timeoutMs ?? 60_000, 'waiting for the program to finish registering resources');
  return { resources, calls, outputs: (raw ?? {}) as Record<string, unknown>, secretOutputs };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
