/**
 * Reads a stack's checkpoint straight from a DIY backend (a `file://` folder or an `s3://` bucket),
 * without the Pulumi CLI and without decrypting anything: what a skip decision needs (does the stack
 * exist, its pending operations, a hash of its state, its outputs with secrets left sealed).
 *
 * Format (pulumi/pulumi v3.260.0, read there, not guessed):
 * - `.pulumi/meta.yaml` `version: 1` = project-scoped layout (backend/diy/meta.go, store.go):
 *   the checkpoint is `.pulumi/stacks/<project>/<stack>.json`, or `.json.gz` with
 *   PULUMI_DIY_BACKEND_GZIP, or `.json.zst` (backend/diy/state.go stackPath: the most recently
 *   modified variant wins). Version 0 (legacy layout: `.pulumi/stacks/<stack>.json`) is not read here.
 * - The file is an `apitype.VersionedCheckpoint` `{version, features?, checkpoint}`; version 3 holds a
 *   `CheckpointV3` `{stack, config?, latest?: DeploymentV3}`; version 4 is the same shape plus
 *   `features` (apitype/core.go DeploymentSchemaVersionCurrent = 3, Latest = 4).
 * - A secret value is `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
 *   "ciphertext": "..."}` (resource/sig.go); the stack outputs are the outputs of the root resource
 *   of type `pulumi:pulumi:Stack`.
 *
 * Rules:
 * - Parsing is strict by version (zod): another version, a feature list we do not know, the legacy
 *   layout, zstd, or an S3 URL with options we do not interpret returns `{ unreadable: reason }`, and
 *   the caller makes one CLI call instead, saying why. Never a silent guess.
 * - The state hash covers the resources (with their outputs, secrets as ciphertext) and the pending
 *   operations, not the manifest (its time changes on every write): any change to what the stack
 *   holds changes the hash.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { hashValue } from '../../core/fingerprint.js';
import type { OutputMap, PendingOperation } from '../../core/ports.js';

/** Pulumi's secret signature key and value (sdk/go/common/resource/sig/sig.go). */
export const SECRET_SIG_KEY = '4dabf18193072939515e22adb298388d';
export const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

const Resource = z
  .object({
    urn: z.string(),
    type: z.string(),
    custom: z.boolean().optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

const Operation = z
  .object({
    resource: z.object({ urn: z.string(), type: z.string() }).passthrough(),
    type: z.string(),
  })
  .passthrough();

/** DeploymentV3 (the fields we read; the rest is kept for the hash). */
export const DeploymentV3 = z
  .object({
    manifest: z.object({ time: z.string(), magic: z.string(), version: z.string() }).passthrough(),
    secrets_providers: z.object({ type: z.string() }).passthrough().optional(),
    resources: z.array(Resource).optional(),
    pending_operations: z.array(Operation).optional(),
  })
  .passthrough();
export type DeploymentV3 = z.infer<typeof DeploymentV3>;

const CheckpointV3 = z.object({ stack: z.string(), config: z.record(z.string(), z.unknown()).optional(), latest: DeploymentV3.optional() }).passthrough();

/** Features of a version-4 checkpoint we know to leave the fields we read unchanged: none yet. */
const KNOWN_FEATURES: readonly string[] = [];

const VersionedCheckpoint = z.discriminatedUnion('version', [
  z.object({ version: z.literal(3), checkpoint: CheckpointV3 }).passthrough(),
  z.object({ version: z.literal(4), features: z.array(z.string()).optional(), checkpoint: CheckpointV3 }).passthrough(),
]);

/** `stack export` output (apitype.UntypedDeployment): `{version, deployment}`. */
const UntypedDeployment = z.discriminatedUnion('version', [
  z.object({ version: z.literal(3), deployment: DeploymentV3 }).passthrough(),
  z.object({ version: z.literal(4), features: z.array(z.string()).optional(), deployment: DeploymentV3 }).passthrough(),
]);

/** What a skip decision reads of a stack. No value here was decrypted. */
export interface CheckpointView {
  exists: boolean;
  pendingOperations: PendingOperation[];
  /** Hash of resources + pending operations (secrets as ciphertext). */
  stateHash: string;
  /** Stack outputs: plain values as stored; secret ones `{ secret: true, sealed: true }` without value. */
  outputs: OutputMap;
}

export type ReadResult = { view: CheckpointView } | { unreadable: string };

/** Builds the view of a deployment (DeploymentV3), or of a stack with no deployment yet. */
export function viewOf(latest: DeploymentV3 | undefined): CheckpointView {
  const resources = latest?.resources ?? [];
  const pending = latest?.pending_operations ?? [];
  const root = resources.find((r) => r.type === 'pulumi:pulumi:Stack' && !r.urn.includes('$'));
  const outputs: OutputMap = {};
  for (const [k, v] of Object.entries(root?.outputs ?? {})) {
    outputs[k] = isSecret(v) ? { value: undefined, secret: true, sealed: true } : { value: v, secret: false };
  }
  return {
    exists: true,
    pendingOperations: pending.map((p) => ({ urn: p.resource.urn, type: p.resource.type, op: p.type })),
    stateHash: hashValue({ v: 1, resources, pending }),
    outputs,
  };
}

function isSecret(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** Parses a checkpoint file's text strictly by version. */
export function parseCheckpoint(text: string, where: string): ReadResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { unreadable: `${where} is not JSON` };
  }
  const version = (json as { version?: unknown } | null)?.version;
  const parsed = VersionedCheckpoint.safeParse(json);
  if (!parsed.success) return { unreadable: `${where}: checkpoint version ${JSON.stringify(version)} is not one this CLI reads (3 or 4) or does not match its schema` };
  const features = parsed.data.version === 4 ? (parsed.data.features ?? []) : [];
  const unknown = features.filter((f) => !KNOWN_FEATURES.includes(f));
  if (unknown.length) return { unreadable: `${where}: checkpoint uses feature(s) ${unknown.join(', ')} this CLI does not know` };
  return { view: viewOf(parsed.data.checkpoint.latest) };
}

/** Parses `pulumi stack export` output (no --show-secrets) into the same view. */
export function parseExport(text: string): CheckpointView {
  const parsed = UntypedDeployment.parse(JSON.parse(text));
  return viewOf(parsed.deployment);
}

/** The layout version in `.pulumi/meta.yaml` text (`version: N`), or undefined. */
export function metaVersion(text: string): number | undefined {
  const m = /^version:\s*(\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Reads a stack's checkpoint from a file backend folder. `{ view: { exists: false } }` when the stack
 * has no checkpoint (it does not exist).
 */
export function readFileCheckpoint(backendDir: string, project: string, stack: string): ReadResult {
  const meta = join(backendDir, '.pulumi', 'meta.yaml');
  if (!existsSync(meta)) {
    // No meta.yaml: an empty backend (no stack yet) or the legacy layout.
    return existsSync(join(backendDir, '.pulumi', 'stacks')) ? { unreadable: `${backendDir} has no .pulumi/meta.yaml (legacy layout)` } : { view: missing() };
  }
  const version = metaVersion(readFileSync(meta, 'utf8'));
  if (version !== 1) return { unreadable: `${meta} says layout version ${version ?? '(none)'}; this CLI reads version 1` };
  const base = join(backendDir, '.pulumi', 'stacks', project, `${stack}.json`);
  const candidates = [base, `${base}.gz`, `${base}.zst`].filter((f) => existsSync(f));
  if (!candidates.length) return { view: missing() };
  // As Pulumi does: the most recently modified variant is the stack's checkpoint.
  const file = candidates.reduce((a, b) => (statSync(b).mtimeMs >= statSync(a).mtimeMs ? b : a));
  if (file.endsWith('.zst')) return { unreadable: `${file} is zstd-compressed` };
  const bytes = readFileSync(file);
  return parseCheckpoint(file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8'), file);
}

/** Parses a checkpoint object's bytes from a bucket (gzip by key suffix). */
export function parseBucketObject(key: string, bytes: Uint8Array, where: string): ReadResult {
  if (key.endsWith('.zst')) return { unreadable: `${where} is zstd-compressed` };
  const buf = Buffer.from(bytes);
  return parseCheckpoint(key.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8'), where);
}

export function missing(): CheckpointView {
  return { exists: false, pendingOperations: [], stateHash: '', outputs: {} };
}
