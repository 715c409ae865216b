/**
 * Turns values captured under Pulumi's mocks into plain JSON data that can cross a process boundary,
 * be diffed and be persisted. Rules:
 * - assets and archives become `{ asset: { path | text | uri } }` / `{ archive: { path | uri | assets } }`
 *   so a changed file path or text shows up in a diff;
 * - resource references become `{ resourceUrn }`; Outputs are awaited (under mocks they are known);
 * - functions and symbols are dropped; bigint becomes a string; Date becomes its ISO string;
 * - `undefined` object members are dropped (as Pulumi treats them as absent).
 */
import * as pulumi from '@pulumi/pulumi';

/** Await an Output's value. Under mocks (not a preview) every value is known. */
function outputValue(o: pulumi.Output<unknown>): Promise<unknown> {
  return new Promise((resolve) => {
    o.apply((v) => {
      resolve(v);
      return v;
    });
  });
}

async function assetLike(v: object): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of ['path', 'text', 'uri'] as const) {
    const field = (v as Record<string, unknown>)[key];
    if (field !== undefined) {
      const resolved = await field;
      if (resolved !== undefined) out[key] = resolved;
    }
  }
  const assets = (v as Record<string, unknown>).assets;
  if (assets !== undefined) out.assets = await toPlain(await assets);
  return out;
}

/** Converts `value` to plain JSON-compatible data (see the file header for the rules). */
export async function toPlain(value: unknown): Promise<unknown> {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value instanceof Date) return value.toISOString();
  if (pulumi.Output.isInstance(value)) return toPlain(await outputValue(value as pulumi.Output<unknown>));
  if (pulumi.asset.Asset.isInstance(value)) return { asset: await assetLike(value) };
  if (pulumi.asset.Archive.isInstance(value)) return { archive: await assetLike(value) };
  if (pulumi.Resource.isInstance(value)) return { resourceUrn: await outputValue((value as pulumi.Resource).urn) };
  if (Array.isArray(value as unknown)) {
    const out: unknown[] = [];
    for (const e of value as unknown[]) {
      const p = await toPlain(e);
      out.push(p === undefined ? null : p);
    }
    return out;
  }
  if (typeof (value as unknown) === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as object)) {
      const p = await toPlain(v);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  return undefined;
}

/** `toPlain` for an object of properties. */
export async function toPlainRecord(value: Record<string, unknown>): Promise<Record<string, unknown>> {
  return ((await toPlain(value)) ?? {}) as Record<string, unknown>;
}
