/** `platform up` and `platform preview`: parse, build the request, call the orchestrator. */
import { resolveSelection, slugMap } from '../../core/selection.js';
import { PlatformError } from '../../core/errors.js';
import { runPhases } from '../../orchestrator/run.js';
import type { GlobalOptions, SelectionOptions } from '../main.js';
import { interactive, outputMode, runCommand, type Session } from '../services.js';

export interface UpOptions extends SelectionOptions {
  env: string;
  parallel: string;
  force?: boolean;
  yes?: boolean;
  diff?: boolean;
  expectNoChanges?: boolean;
  outputsFile?: string;
  skipPromotionCheck?: string;
}

/** `--skip-promotion-check <reason>`: the reason is required (it goes to the journal). */
export function parseSkipReason(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim() === '') {
    throw new PlatformError('usage', `invalid --skip-promotion-check '${raw}': give the reason the promotion check is skipped`, {
      value: raw,
      hint: 'e.g. --skip-promotion-check "hotfix INC-123 approved by the on-call lead" (it goes to the journal)',
    });
  }
  return raw.trim();
}

export function parseParallel(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 32) {
    throw new PlatformError('usage', `invalid --parallel '${raw}'`, { value: raw, hint: 'use a whole number from 1 to 32' });
  }
  return Number(raw);
}

/**
 * `up` previews and asks before any change when it would change real resources: the real engine
 * (every env but `local`, unless --engine simulate). `local` and simulated runs change nothing real.
 */
export function needsApproval(session: Pick<Session, 'engine'>, command: string): boolean {
  return command === 'up' && session.engine.kind === 'pulumi';
}

export default async function up(opts: UpOptions, globals: GlobalOptions, name: string): Promise<number> {
  let parallel = 1;
  let skipPromotionCheck: string | undefined;
  let outputsFile: ((session: Session) => Promise<void>) | undefined;
  const command = name === 'preview' ? 'preview' : 'up';
  return runCommand(
    globals,
    opts.env,
    async (session, ports, signal) => {
      if (skipPromotionCheck !== undefined && !session.env.promoteFrom) {
        throw new PlatformError('usage', `--skip-promotion-check given, but env ${session.env.name} promotes from no env (its file names no promoteFrom)`, {
          value: session.env.name,
          hint: 'leave the option out: only an env whose file names promoteFrom (prod: stg) has a promotion check',
        });
      }
      const approve = needsApproval(session, command);
      const outcome = await runPhases(
        {
          command,
          env: session.env,
          registry: session.registry,
          selection: resolveSelection(opts, session.registry.map((p) => p.id), slugMap(session.registry)),
          parallel,
          force: Boolean(opts.force),
          signal,
          ...(approve ? { approval: { yes: Boolean(opts.yes), interactive: interactive() && outputMode(globals) !== 'json' } } : {}),
          ...(opts.expectNoChanges ? { expectNoChanges: true } : {}),
          ...(skipPromotionCheck !== undefined ? { skipPromotionCheck } : {}),
        },
        ports,
      );
      if (outputsFile) await outputsFile(session);
      return outcome;
    },
    async () => {
      parallel = parseParallel(opts.parallel);
      skipPromotionCheck = parseSkipReason(opts.skipPromotionCheck);
      if (opts.outputsFile !== undefined) {
        const { prepareOutputsFile } = await import('../outputs-file.js');
        outputsFile = await prepareOutputsFile(opts.outputsFile);
      }
    },
    (session) => ({ diff: Boolean(opts.diff) || (needsApproval(session, command) && !opts.yes) }),
  );
}
