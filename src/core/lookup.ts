/**
 * Looking up a resource whose create was interrupted (a "pending create"): did the cloud call happen?
 *
 * `platform repair` never drops a pending create on a guess. For each one it asks the lookup
 * registered for the resource's type token: `found` (import it with that id), `absent` (the lookup
 * proved it does not exist: dropping it is safe), or `unknown` (no proof either way: only the user,
 * naming that one resource, or an explicit `--drop-pending-create <urn>` may drop it).
 *
 * A lookup finds the resource by what the program gave it (its name, its tags, its place in a store),
 * never by position or time. Phases register lookups for the types their programs create through
 * `PhaseDefinition.loadLookups` (loaded only by repair).
 */

/** A pending create as the checkpoint records it. Inputs may hold secrets as ciphertext objects. */
export interface PendingResource {
  urn: string;
  /** The type token, e.g. `aws:s3/bucketV2:BucketV2`. */
  type: string;
  /** The logical name (last URN segment). */
  name: string;
  /** The inputs the engine sent to the provider's create. */
  inputs: Record<string, unknown>;
  /** Ids of resources of the same type already in the state: never the pending one. */
  knownIds: readonly string[];
}

export type LookupResult =
  | { kind: 'found'; id: string; detail: string }
  | { kind: 'absent'; detail: string }
  | { kind: 'unknown'; detail: string };

export interface ResourceLookup {
  /** The type token this lookup answers for (exact match). */
  type: string;
  find(resource: PendingResource, signal: AbortSignal): Promise<LookupResult>;
}

/** The logical name of a URN (`urn:pulumi:stack::project::type::name` → `name`). */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf('::') + 2);
}
