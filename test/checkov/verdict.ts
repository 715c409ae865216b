/**
 * The checkov suite's verdict. Every checkov failure must be:
 * - mapped: one of our rules that mirrors the check reported it on the same object (scan.ts
 *   `mappedRule`; such findings are fixed or suppressed, with a reason and an expiry, in the env file);
 * - or listed in checks/checkov-suppressions.yaml (check id, object pattern, envs, reason, expiry);
 * - or it is unexplained, and the suite fails.
 * An entry that has expired fails too, and so does an entry that no longer matches any failure in one
 * of the envs it lists: the list cannot rot.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { CheckResult } from '../../src/checks/types.js';
import { isExpired } from '../../src/checks/suppressions.js';
import { mappedRule, type CheckovFailure } from './scan.js';

export const SUPPRESSIONS_FILE = 'checks/checkov-suppressions.yaml';

const Entry = z
  .object({
    check: z.string().regex(/^CKV2?_K8S_\d+$/, 'a checkov Kubernetes check id such as CKV_K8S_38'),
    /** `<phase>:<plain|release>:<Kind>:<namespace>/<name>`; `*` matches any run of characters. */
    objects: z.array(z.string().regex(/^\*$|^(\d+|\*):[^:]+:[^:]+:[^:]+\/[^:]+$/, '<phase>:<plain|release>:<Kind>:<namespace>/<name>, or *')).min(1),
    envs: z.array(z.enum(['prod', 'stg'])).min(1).default(['prod', 'stg']),
    reason: z.string().min(20, 'a reason a reviewer can judge (20 characters at least)'),
    expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'),
  })
  .strict();
export type CheckovSuppression = z.infer<typeof Entry>;
const File = z.object({ suppressions: z.array(Entry) }).strict();

export function loadSuppressions(path: string): CheckovSuppression[] {
  const parsed = File.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${path}: ${i.path.join('.')}: ${i.message}`);
  }
  return parsed.data.suppressions;
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** The entry's object pattern that matches this failure, if any. */
export function matchingObject(s: CheckovSuppression, f: CheckovFailure): string | undefined {
  if (s.check !== f.check || !s.envs.includes(f.object.env as 'prod' | 'stg')) return undefined;
  return s.objects.find((o) => globToRegExp(o).test(f.object.handle));
}

export interface EnvRun {
  env: string;
  failed: readonly CheckovFailure[];
  checks: CheckResult;
}

export interface Verdict {
  /** Failures explained by one of our rules: failure line -> rule. */
  mapped: { failure: CheckovFailure; rule: string }[];
  suppressed: { failure: CheckovFailure; entry: CheckovSuppression }[];
  /** Failures nothing explains: the suite fails on each. */
  unexplained: CheckovFailure[];
  /** Entries that fail the suite: expired, or an object pattern matching nothing in an env they list. */
  problems: { entry: CheckovSuppression; object?: string; problem: string }[];
}

export function judge(runs: readonly EnvRun[], entries: readonly CheckovSuppression[], now: number): Verdict {
  const v: Verdict = { mapped: [], suppressed: [], unexplained: [], problems: [] };
  const live = entries.filter((e) => {
    if (!isExpired(e, now)) return true;
    v.problems.push({ entry: e, problem: `expired on ${e.expires}: fix the object or renew the entry with a new reason` });
    return false;
  });
  /** entry -> `<env> <object pattern>` pairs that matched a failure. */
  const used = new Map<CheckovSuppression, Set<string>>();
  for (const run of runs) {
    for (const f of run.failed) {
      const rule = mappedRule(f, run.checks);
      if (rule) {
        v.mapped.push({ failure: f, rule });
        continue;
      }
      const entry = live.find((e) => matchingObject(e, f));
      if (!entry) {
        v.unexplained.push(f);
        continue;
      }
      v.suppressed.push({ failure: f, entry });
      used.set(entry, (used.get(entry) ?? new Set()).add(`${run.env} ${matchingObject(entry, f)}`));
    }
  }
  const scanned = new Set(runs.map((r) => r.env));
  for (const e of live) {
    for (const object of e.objects) {
      const stale = e.envs.filter((env) => scanned.has(env) && !used.get(e)?.has(`${env} ${object}`));
      if (stale.length) v.problems.push({ entry: e, object, problem: `matches no checkov failure in ${stale.join(', ')}: remove it (or drop those envs)` });
    }
  }
  return v;
}

export const failureLine = (f: CheckovFailure) => `${f.object.env} ${f.check} ${f.object.handle}: ${f.title}`;
export const problemLine = (p: Verdict['problems'][number]) => `${SUPPRESSIONS_FILE}: ${p.entry.check} ${p.object ?? p.entry.objects.join(', ')}: ${p.problem}`;
