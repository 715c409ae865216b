/**
 * Evaluates one phase program under Pulumi's mocks, in this process, and captures every resource it
 * registers with its inputs and synthetic state. Rules (from reference/stack.md §4):
 * - call setMocks, then setAllConfig (setMocks does not reset config), then run the program inside
 *   runInPulumiStack, then drain with disconnect() under a timeout (a hung mock would otherwise hang);
 * - one evaluation at a time per process: the simulate engine forks a fresh child per stack, tests
 *   evaluate sequentially;
 * - URNs are taken from the mock monitor after the drain, so children of components carry their
 *   parent type chain (`platform:x:Comp$aws:s3/bucket:Bucket`) as the real engine's URNs do; the
 *   mock's `pulumi:pulumi:Stack$` prefix on top-level resources is dropped, as the engine does;
 * - secret inputs arrive wrapped in Pulumi's secret signature; they are unwrapped in `inputs` and
 *   their top-level keys listed in `secretInputs` (the mock state keeps them wrapped, so secretness
 *   still flows into outputs);
 * - a resource's `replaceOnChanges` option (which mocks do not see) is read by a stack
 *   transformation, which runs before each registration;
 * - the synthetic id derives from the values of the replace-forcing inputs too (replace-rules.ts),
 *   so a replaced resource gets a new id and what references it sees the change, as on a real engine.
 */
import * as pulumi from '@pulumi/pulumi';
import { replaceKey } from './replace-rules.js';
import { syntheticState } from './synthetic.js';
import type { SyntheticContext } from './synthetic-values.js';

export interface CapturedResource {
  urn: string;
  type: string;
  name: string;
  /** Inputs as the program passed them (secret values unwrapped; see secretInputs). */
  inputs: Record<string, unknown>;
  /** Top-level input keys whose value was (or contained) a Pulumi secret. */
  secretInputs: string[];
  /** Synthetic state returned by the mock (inputs plus computed outputs). */
  state: Record<string, unknown>;
  id: string;
  custom: boolean;
  /** The resource's `replaceOnChanges` option, when it has one. */
  replaceOnChanges?: string[];
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
  // An explicit AWS provider's region applies to what it manages (a DR-region provider's resources
  // get DR-region ARNs), as the real engine would; a resource's own `region` input still wins.
  const providerRegions = new Map<string, string>();
  const contextFor = (provider: string | undefined): SyntheticContext => {
    const region = provider === undefined ? undefined : providerRegions.get(provider.split('::').pop() ?? '');
    return region ? { ...opts.synthetic, region } : opts.synthetic;
  };
  const replaceOnChanges = new Map<string, string[]>();
  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const extra = replaceOnChanges.get(`${args.type}::${args.name}`);
      const { inputs, secretInputs } = unwrapSecrets(args.inputs);
      const { id, state } = syntheticState(args.type, args.name, args.inputs, contextFor(args.provider), replaceKey(args.type, inputs, extra));
      if (args.type === 'pulumi:providers:aws' && typeof args.inputs.region === 'string') providerRegions.set(id, args.inputs.region);
      resources.push({
        urn: `urn:pulumi:${opts.stack}::${project}::${args.type}::${args.name}`,
        type: args.type,
        name: args.name,
        inputs,
        secretInputs,
        state,
        id,
        custom: args.custom ?? true,
        ...(extra ? { replaceOnChanges: extra } : {}),
        provider: args.provider,
      });
      return { id, state };
    },
    call(args) {
      calls.push({ token: args.token, args: args.inputs });
      return syntheticState(args.token, 'call', args.inputs, contextFor(args.provider)).state;
    },
  };
  await pulumi.runtime.setMocks(mocks, project, opts.stack, false);
  pulumi.runtime.setAllConfig(opts.config ?? {});
  const secretOutputs: string[] = [];
  const raw = await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((t) => {
      if (t.opts.replaceOnChanges?.length) replaceOnChanges.set(`${t.type}::${t.name}`, [...t.opts.replaceOnChanges]);
      return undefined;
    });
    const out = await opts.program();
    for (const [k, v] of Object.entries(out)) {
      if (pulumi.Output.isInstance(v) && (await (v as any).isSecret)) secretOutputs.push(k);
    }
    return out;
  });
  await withTimeout(pulumi.runtime.disconnect(), opts.timeoutMs ?? 60_000, 'waiting for the program to finish registering resources');
  qualifyUrns(resources);
  return { resources, calls, outputs: (raw ?? {}) as Record<string, unknown>, secretOutputs };
}

const SECRET_SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

function isSecretWrapper(v: unknown): v is { value: unknown } {
  return typeof v === 'object' && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** Unwraps secret signatures at any depth; reports which top-level keys held one. */
function unwrapSecrets(raw: Record<string, unknown>): { inputs: Record<string, unknown>; secretInputs: string[] } {
  const secretInputs: string[] = [];
  const inputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const found = { secret: false };
    inputs[k] = unwrapValue(v, found);
    if (found.secret) secretInputs.push(k);
  }
  return { inputs, secretInputs };
}

function unwrapValue(v: unknown, found: { secret: boolean }): unknown {
  if (isSecretWrapper(v)) {
    found.secret = true;
    return unwrapValue(v.value, found);
  }
  if (Array.isArray(v)) return v.map((e) => unwrapValue(e, found));
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, unwrapValue(e, found)]));
  }
  return v;
}

/**
 * Replaces each captured URN by the one the mock monitor registered (which carries the parent type
 * chain), minus the root stack's type, which the real engine leaves out of its children's URNs.
 * Matched by (type, name); an ambiguous pair keeps the unqualified URN.
 */
function qualifyUrns(resources: CapturedResource[]): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as { resources?: Map<string, unknown> } | undefined;
  if (!monitor?.resources) return;
  const byKey = new Map<string, string[]>();
  for (const urn of monitor.resources.keys()) {
    const parts = urn.split('::');
    if (parts.length < 4) continue;
    const qualified = parts[2]!.replace(/^pulumi:pulumi:Stack\$/, '');
    const type = qualified.split('$').pop()!;
    const key = `${type}::${parts.slice(3).join('::')}`;
    const fixed = [...parts.slice(0, 2), qualified, ...parts.slice(3)].join('::');
    byKey.set(key, [...(byKey.get(key) ?? []), fixed]);
  }
  for (const r of resources) {
    const found = byKey.get(`${r.type}::${r.name}`);
    if (found?.length === 1) r.urn = found[0]!;
  }
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
