/**
 * The plain line host, for pipes, CI and `--output plain`: progress and errors as lines on stderr,
 * the final summary on stdout. No cursor movement; colour only on a TTY without NO_COLOR.
 * Unchanged resources and info diagnostics appear only with --verbose; with --quiet no resource
 * line appears but a failed one's.
 */
import { createInterface } from 'node:readline/promises';
import type { PlatformEvent, StatusCause } from '../core/events.js';
import type { ConfirmRequest, Host } from '../core/ports.js';
import type { PhaseId } from '../core/phase.js';
import { formatAllCounts, formatChange, formatCost, formatDuration, formatValue, styleFor } from './format.js';
import { causeWord as wordFor } from './view-format.js';

export interface PlainHostOptions {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  verbose: boolean;
  /** `--quiet`: no line per resource (a failed one still gets its line); phases, gates and diagnostics stay. */
  quiet?: boolean;
  slugs: ReadonlyMap<PhaseId, string>;
  /** Show each changed property's old -> new values (preview --diff, and the plan before a confirmation). */
  diff?: boolean;
}

/** The summary's short word for why a phase was skipped or blocked, from the typed cause. */
function causeWord(e: { status: string; cause?: string; on?: number }): string | undefined {
  if (e.status === 'blocked') return e.on !== undefined ? `by phase ${e.on}` : 'by a dependency';
  return e.cause === 'dependency' ? undefined : wordFor(e.cause as StatusCause | undefined);
}

const OP_MARK: Record<string, string> = { create: '+', update: '~', replace: '±', delete: '-', same: '=', read: '>', refresh: '↻' };

export class PlainHost implements Host {
  private readonly s;
  private readonly outputs = new Map<PhaseId, { values: Record<string, unknown>; simulated: boolean }>();
  /** Why each phase ended as it did, for the summary (skips say unchanged or no program). */
  private readonly why = new Map<PhaseId, string>();
  /** `platform drift` results per phase, printed with the summary (results go to stdout). */
  private readonly drift = new Map<PhaseId, Extract<PlatformEvent, { type: 'drift' }>>();

  constructor(private readonly o: PlainHostOptions) {
    this.s = styleFor(Boolean(o.stderr.isTTY), o.env);
  }

  private name(p: PhaseId): string {
    return `phase ${p} ${this.o.slugs.get(p) ?? ''}`.trim();
  }

  private err(line: string): void {
    this.o.stderr.write(line + '\n');
  }

  notify(e: PlatformEvent): void {
    const s = this.s;
    switch (e.type) {
      case 'run-started':
        this.err(s.bold(`platform ${e.command} · env ${e.env} · engine ${e.engine} · phases ${e.phases.join(', ') || 'none'} · parallel ${e.parallel}`));
        break;
      case 'phase-status': {
        const word = causeWord(e);
        if (word) this.why.set(e.phase, word);
        else this.why.delete(e.phase);
        const tail = [e.on !== undefined ? `on phase ${e.on}` : '', e.reason ?? ''].filter(Boolean).join(': ');
        const label = `${this.name(e.phase)}: ${e.status}${tail ? ` (${tail})` : ''}`;
        if (e.status === 'failed' || e.status === 'blocked') {
          this.err(s.red(label));
          if (e.hint) this.err(`  hint: ${e.hint}`);
        } else if (e.status === 'succeeded') this.err(s.green(label));
        else if (e.status === 'queued' || e.status === 'waiting') {
          if (this.o.verbose) this.err(s.dim(label));
        } else this.err(label);
        break;
      }
      case 'resource-op':
        if (e.status === 'started') break;
        if (e.op === 'same' && !this.o.verbose) break;
        if (this.o.quiet && e.status !== 'failed') break;
        this.err(
          `  ${OP_MARK[e.op] ?? '?'} ${e.resourceType} ${e.name}` +
            (e.diffs?.length ? ` [${e.diffs.join(', ')}]` : '') +
            (e.status === 'failed' ? s.red(' failed') : '') +
            (this.o.verbose && e.durationMs !== undefined ? s.dim(` ${formatDuration(e.durationMs)}`) : ''),
        );
        if (this.o.diff) for (const c of e.changes ?? []) this.err(`      ${formatChange(c)}`);
        break;
      case 'diagnostic':
        if (e.severity === 'info' && !this.o.verbose) break;
        this.err(`${e.phase !== undefined ? `${this.name(e.phase)}: ` : ''}${e.severity === 'error' ? s.red('error') : e.severity === 'warning' ? s.yellow('warning') : 'info'}: ${e.message}`);
        break;
      case 'phase-summary':
        this.err(`${this.name(e.phase)}: ${formatAllCounts(e.changes)} in ${formatDuration(e.durationMs)}`);
        if (e.cost) this.err(`${this.name(e.phase)}: ${formatCost(e.cost)}`);
        break;
      case 'gate-started':
        if (this.o.verbose) this.err(s.dim(`  … gate ${e.gate}`));
        break;
      case 'gate-result': {
        const r = e.result;
        const mark = r.status === 'pass' ? s.green('✓') : r.status === 'fail' ? s.red('✗') : s.dim('-');
        this.err(`  ${mark} gate ${r.gate}: ${r.status}${r.status !== 'pass' && r.evidence.length ? ` — ${r.evidence.at(-1)}` : ''}${r.hint ? ` (${r.hint})` : ''}`);
        break;
      }
      case 'outputs':
        this.outputs.set(e.phase, { values: e.outputs, simulated: e.simulated });
        break;
      case 'drift':
        this.drift.set(e.phase, e);
        break;
      case 'run-finished':
        this.summary(e);
        break;
    }
  }

  private summary(e: Extract<PlatformEvent, { type: 'run-finished' }>): void {
    const lines: string[] = [];
    for (const [id, status] of Object.entries(e.phases)) {
      const why = this.why.get(Number(id) as PhaseId);
      lines.push(`${this.name(Number(id) as PhaseId)}: ${status}${why && (status === 'skipped' || status === 'blocked' || status === 'cancelled') ? ` (${why})` : ''}`);
    }
    for (const [id, d] of this.drift) {
      lines.push(`${this.name(id)}: ${d.resources.length === 0 ? 'no drift' : `${d.resources.length} resource(s) changed outside the CLI`} (stack ${d.stack})`);
      for (const r of d.resources) lines.push(`  ~ ${r.type} ${r.name}: ${r.change === 'deleted' ? 'deleted' : `changed [${r.properties.join(', ') || 'properties unknown'}]`}`);
    }
    for (const [id, o] of this.outputs) {
      const keys = Object.keys(o.values);
      lines.push(`${this.name(id)} outputs${o.simulated ? ' (simulated)' : ''}: ${keys.slice(0, 6).map((k) => `${k}=${formatValue(o.values[k], 48)}`).join(' ')}${keys.length > 6 ? ` … (+${keys.length - 6}; platform outputs --phase ${id})` : ''}`);
    }
    lines.push(`${e.exitCode === 0 ? 'done' : `finished with exit code ${e.exitCode}`} in ${formatDuration(e.durationMs)}`);
    if (e.next) lines.push(`next: ${e.next}`);
    this.o.stdout.write(lines.join('\n') + '\n');
  }

  async confirm(req: ConfirmRequest): Promise<boolean> {
    const stdin = this.o.stdin;
    if (!stdin?.isTTY) return req.defaultAnswer;
    const rl = createInterface({ input: stdin, output: this.o.stderr });
    try {
      const answer = (await rl.question(`${req.message} ${req.defaultAnswer ? '[Y/n]' : '[y/N]'} `)).trim().toLowerCase();
      if (answer === '') return req.defaultAnswer;
      return answer === 'y' || answer === 'yes';
    } finally {
      rl.close();
    }
  }

  async close(): Promise<void> {}
}
