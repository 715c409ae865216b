/**
 * The simulate engine's state: one JSON file per stack, `<stateDir>/<stack>.json`. Rules:
 * - every write is atomic: a temp file in the same folder, fsync, then rename over the old file, so a
 *   reader (or a killed run) sees the old file or the new one, never half of one;
 * - files carry `schemaVersion`; an unknown version or a file that does not parse is a
 *   `recovery-needed` error naming the file (never silently treated as "no stack");
 * - files are written with mode 0600: secret *outputs* are kept in clear so later phases can read
 *   them (they are synthetic under this engine); secret *inputs* are kept only as hashes.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { PlatformError } from '../../core/errors.js';
import type { OutputMap, PendingOperation, StackInfo } from '../../core/ports.js';
import type { StoredResource } from './diff.js';

export const STATE_SCHEMA_VERSION = 1;

export interface SimStackState {
  schemaVersion: typeof STATE_SCHEMA_VERSION;
  stack: string;
  createdAt: string;
  updatedAt: string;
  lastResult?: NonNullable<StackInfo['lastResult']>;
  lastUpdateAt?: string;
  resources: StoredResource[];
  outputs: OutputMap;
  /** The in-flight marker: operations an update was applying when the state was last written. */
  pendingOperations: PendingOperation[];
}

const ResourceSchema = z.object({
  urn: z.string().startsWith('urn:pulumi:'),
  type: z.string(),
  name: z.string(),
  custom: z.boolean(),
  id: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  secretInputs: z.array(z.string()),
});

const StateSchema = z.object({
  schemaVersion: z.literal(STATE_SCHEMA_VERSION),
  stack: z.string().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastResult: z.enum(['succeeded', 'failed', 'in-progress', 'cancelled']).optional(),
  lastUpdateAt: z.string().optional(),
  resources: z.array(ResourceSchema),
  outputs: z.record(z.string(), z.object({ value: z.unknown(), secret: z.boolean() })),
  pendingOperations: z.array(z.object({ urn: z.string(), type: z.string(), op: z.string() })),
});

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Reads and writes the per-stack state files of one env's simulate folder. */
export class StateStore {
  /** The text of each file last validated, so re-reading an unchanged file skips the schema pass. */
  private readonly validated = new Map<string, string>();

  constructor(readonly dir: string) {}

  /** The file of one stack. Stack names are validated: they become file names. */
  file(stack: string): string {
    if (!STACK_NAME.test(stack)) {
      throw new PlatformError('usage', `stack name '${stack}' cannot name a simulate state file`, {
        value: stack,
        hint: 'stack names are <env>-<NN>-<slug> (letters, digits, dots, dashes, underscores)',
      });
    }
    return join(this.dir, `${stack}.json`);
  }

  /** The stack's state, or undefined when it does not exist. */
  async read(stack: string): Promise<SimStackState | undefined> {
    const file = this.file(stack);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new PlatformError('engine-failed', `cannot read simulate state file ${file}: ${(e as Error).message}`, {
        value: file,
        hint: 'check the file permissions',
        cause: e,
      });
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw corrupt(file, `it is not valid JSON (${(e as Error).message})`, e);
    }
    if (this.validated.get(file) === text) return data as SimStackState;
    const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (version !== STATE_SCHEMA_VERSION) {
      throw corrupt(file, `its schemaVersion is ${JSON.stringify(version)}, this engine reads ${STATE_SCHEMA_VERSION}`);
    }
    const parsed = StateSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw corrupt(file, `${issue.path.join('.') || '(root)'}: ${issue.message}`, parsed.error);
    }
    if (parsed.data.stack !== stack) throw corrupt(file, `it holds stack '${parsed.data.stack}', not '${stack}'`);
    this.validated.set(file, text);
    return parsed.data as SimStackState;
  }

  /** Writes the stack's state atomically (temp file + fsync + rename). */
  async write(state: SimStackState): Promise<void> {
    const file = this.file(state.stack);
    await mkdir(this.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** Removes the stack's state (destroy). */
  async remove(stack: string): Promise<void> {
    await rm(this.file(stack), { force: true });
  }
}

function corrupt(file: string, why: string, cause?: unknown): PlatformError {
  return new PlatformError('recovery-needed', `simulate state file ${file} is unreadable: ${why}`, {
    value: file,
    hint: `restore it, or delete it to forget that simulated stack (the next up starts from empty)`,
    cause,
  });
}
