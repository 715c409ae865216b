/**
 * Counts the Pulumi CLI processes a command starts, from outside the product: an engine root whose
 * `bin/pulumi` is a shell script that appends its arguments to a log file and then execs the real
 * binary (same pid, so signals and parent-death behave as without it); the other files of the real
 * `bin/` are linked. Point the CLI at it with PLATFORM_PULUMI_ROOT.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export class SpawnLog {
  readonly root: string;
  readonly file: string;

  constructor(dir: string, realRoot: string) {
    this.root = join(dir, 'engine-shim');
    this.file = join(dir, 'pulumi-spawns.log');
    const bin = join(this.root, 'bin');
    mkdirSync(bin, { recursive: true });
    for (const f of readdirSync(join(realRoot, 'bin'))) if (f !== 'pulumi') symlinkSync(join(realRoot, 'bin', f), join(bin, f));
    writeFileSync(
      join(bin, 'pulumi'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${this.file}'\nexec '${join(realRoot, 'bin', 'pulumi')}' "$@"\n`,
    );
    chmodSync(join(bin, 'pulumi'), 0o755);
    this.clear();
  }

  /** One line per `pulumi` process started since the last clear: its arguments. */
  lines(): string[] {
    return existsSync(this.file) ? readFileSync(this.file, 'utf8').split('\n').filter(Boolean) : [];
  }

  clear(): void {
    writeFileSync(this.file, '');
  }
}
