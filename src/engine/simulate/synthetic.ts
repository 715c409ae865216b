/**
 * Deterministic synthetic state per resource type, so downstream phases receive values of the right
 * shape (ids, ARNs, subnet lists, kubeconfig, OIDC issuer...). The same inputs always give the same
 * outputs: ids derive from a hash of (stack, type, name). Every value is recognisably simulated.
 */
import { createHash } from 'node:crypto';

export interface SyntheticContext {
  accountId: string;
  region: string;
  stack: string;
}

export interface SyntheticResult {
  id: string;
  state: Record<string, unknown>;
}

export function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 17);
}

export function syntheticState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  ctx: SyntheticContext,
): SyntheticResult {
  const h = shortHash(ctx.stack, type, name);
  const id = `sim-${h}`;
  const [pkg, mod] = type.split(':');
  const service = (mod ?? '').split('/')[0] ?? pkg;
  const arn = `arn:aws:${service}:${ctx.region}:${ctx.accountId}:${name}`;
  return { id, state: { ...inputs, id, arn, name: inputs.name ?? name } };
}
