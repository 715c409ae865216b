/**
 * Building blocks of phase output contracts, and the one way a phase's `inputs(ctx)` reads an upstream
 * phase's outputs: through a narrow zod schema of just the fields it consumes. The orchestrator has
 * already validated the upstream outputs against the upstream phase's full schema; reading them again
 * through a narrow schema gives typed values without casts and names the missing field (never its
 * value, which may be secret) if the two contracts ever drift apart.
 */
import { z } from 'zod';
import { PlatformError } from './errors.js';
import type { PhaseContext, PhaseId } from './phase.js';

/** An AWS ARN in any partition. */
export const arn = z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:/, 'an AWS ARN');
/** A Kubernetes object name or namespace (DNS-1123 label). */
export const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes name (DNS-1123 label)');
/** An absolute http(s) URL. */
export const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'an http(s) URL');
/** Any non-empty string (ids, host names, image references). */
export const text = z.string().min(1);
/** A record keyed by service, env or purpose. */
export const byName = <T extends z.ZodType>(value: T) => z.record(z.string().min(1), value);

/**
 * The fields `consumer` reads from phase `from`'s outputs, typed by `schema`. Throws PlatformError
 * 'dependency-check' naming the phase and the field when the outputs are absent or do not match.
 */
export function readUpstream<S extends z.ZodType>(ctx: PhaseContext, consumer: PhaseId, from: PhaseId, schema: S): z.infer<S> {
  const outputs = ctx.upstream[from];
  const hint = `run: platform up --phase ${from} --env ${ctx.env.name}`;
  if (outputs === undefined) {
    throw new PlatformError('dependency-check', `phase ${consumer} has no outputs of phase ${from} to read`, { value: String(from), hint });
  }
  const parsed = schema.safeParse(outputs);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(all outputs)';
  const what = issue.code === 'invalid_type' && !(issue.path.length > 0 && hasPath(outputs, issue.path)) ? 'missing' : `not ${describeExpected(issue)}`;
  throw new PlatformError('dependency-check', `phase ${consumer} reads output '${field}' of phase ${from}: ${what}`, {
    value: field,
    hint: `${hint} (its outputs contract and what phase ${consumer} reads have drifted apart)`,
  });
}

function hasPath(root: unknown, path: readonly PropertyKey[]): boolean {
  let node: unknown = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object' || !(seg in node)) return false;
    node = (node as Record<PropertyKey, unknown>)[seg];
  }
  return node !== undefined;
}

function describeExpected(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `a ${issue.expected}`;
  if (issue.code === 'invalid_format' || issue.code === 'custom') return issue.message;
  return `valid (${issue.code})`;
}
