/**
 * The CLI entry. Only commander is imported here; each command's code is loaded inside its action so
 * `platform --help` stays fast. Every error ends in `report()`: one line on stderr (plus a JSON line on
 * stdout with --json) and a documented exit code (docs/exit-codes.md). Stack traces only for bugs with
 * --verbose.
 */
import { Command, CommanderError, Option } from 'commander';

export interface GlobalOptions {
  env?: string;
  engine?: 'simulate' | 'pulumi';
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  output?: 'fancy' | 'plain' | 'json';
}

export interface SelectionOptions {
  phase?: string;
  from?: string;
  all?: boolean;
}

const EXIT_USAGE = 2;

function selection(cmd: Command): Command {
  return cmd
    // Repeated --phase values add up (`-p 1 -p 2` is `1,2`), never silently keep the last.
    .option('-p, --phase <spec>', 'phases: N, A..B, A,B or names (e.g. 2..5, cluster); repeatable', (v: string, prev?: string) => (prev === undefined ? v : `${prev},${v}`))
    .option('--from <n>', 'phase N and every later phase')
    .option('--all', 'every phase');
}

function envOption(cmd: Command, required = true): Command {
  if (!required) return cmd.option('-e, --env <name>', 'environment (stacks/<name>.yaml)');
  // Checked before the action rather than as a commander "required option", so that a misspelt
  // option (`--environment local`) is reported as itself, not as a missing --env.
  return cmd.option('-e, --env <name>', 'environment (a file stacks/<name>.yaml; required)').hook('preAction', (c) => {
    if (!c.opts().env) c.error("error: required option '-e, --env <name>' not specified", { code: 'commander.missingMandatoryOptionValue', exitCode: EXIT_USAGE });
  });
}

/** Appends an "Examples:" block to a command's help. */
function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

/** A usage error with the wording cleaned: no line break before "did you mean", no ".;". */
export function cleanCommanderMessage(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/\s*\n?\(Did you mean ([^)]*?)\?\)/, '; did you mean $1?')
    .replace(/\.$/, '')
    .trim();
}

/** The package version, read only when asked (keeps start-up to commander alone). */
async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { dirname, join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'platform' && pkg.version) return pkg.version;
    } catch {
      /* not here: look one folder up */
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

/** A reader that went away (`platform phases | head -1`) ends the output, not the process with a stack trace. */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') > 0) continue;
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  ignoreClosedPipes();
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V' || args[0] === 'version')) {
    process.stdout.write(`platform ${await version()}\n`);
    return 0;
  }
  const program = new Command('platform')
    .description('Builds an AWS/EKS platform in eleven ordered, gated phases through Pulumi')
    .addOption(new Option('--engine <engine>', 'engine override').choices(['simulate', 'pulumi']))
    .option('--json', 'NDJSON events on stdout, one summary line last')
    .option('--verbose', 'show unchanged resources, info diagnostics and stack traces of bugs')
    .option('-q, --quiet', 'plain output: phase statuses, summaries, gates, warnings and errors, without a line per resource')
    .addOption(new Option('--output <mode>', 'progress display').choices(['fancy', 'plain', 'json']))
    .option('-V, --version', 'print the version')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .addHelpText(
      'after',
      `
Every command that touches an env takes -e/--env <name> (a file stacks/<name>.yaml).
From a clone, run it as \`npx platform ...\` (or \`npm run -s platform -- ...\`); \`npm link\` puts
\`platform\` on your PATH. Hints print \`platform ...\`.

Examples:
  $ platform up --all --env local            the whole chain, offline (simulate engine)
  $ platform preview -p 2 -e stg --diff      what phase 2 of stg would change, with values
  $ platform up -p 2 -e stg                  preview, ask, then update
  $ platform status -e stg
  $ platform completion bash > /etc/bash_completion.d/platform

Docs: README.md, docs/exit-codes.md, docs/events.md`,
    );

  const run = (load: () => Promise<{ default: (opts: any, globals: GlobalOptions, name: string, cmdArgs: string[]) => Promise<number> }>) =>
    async function (this: Command, ...params: unknown[]) {
      const mod = await load();
      exitCode = await mod.default(this.opts(), this.optsWithGlobals() as GlobalOptions, this.name(), params.filter((p): p is string => typeof p === 'string'));
    };

  examples(program.command('phases').description('list the phases, their dependencies and design decisions'), ['platform phases', 'platform phases --json']).action(
    run(() => import('./commands/phases.js')),
  );

  for (const name of ['up', 'preview'] as const) {
    const c = envOption(selection(program.command(name).description(name === 'up' ? 'deploy phases in dependency order, with gates (previews and asks first on the real engine)' : 'show what up would change')));
    c.option('--parallel <n>', 'how many independent phases run at once', '4');
    c.option('--diff', "show each changed property's old -> new values (secrets masked)");
    if (name === 'up') {
      c.option('--force', 'run phases even when unchanged');
      c.option('-y, --yes', 'do not ask before changing anything (needed off a terminal on the real engine)');
      c.option('--outputs-file <file>', "write every phase's outputs (secrets masked) to this JSON file when the run ends");
      c.option('--skip-promotion-check <reason>', "update even with program sources that have not succeeded in the env this one promotes from (promoteFrom); the reason goes to the journal");
      examples(c, ['platform up --all --env local', 'platform up -p 2..4 -e stg', 'platform up -p 2 -e stg --yes --outputs-file outputs.json']);
    } else {
      c.option('--expect-no-changes', 'exit 6 when anything would change (a drift check for CI)');
      examples(c, ['platform preview -p 1 -e local --diff', 'platform preview --all -e prod --expect-no-changes']);
    }
    c.action(run(() => import('./commands/up.js')));
  }
  examples(
    envOption(selection(program.command('destroy').description('destroy phases in reverse order (asks first)')))
      .option('--cascade', 'also destroy deployed phases that depend on the selected ones')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--parallel <n>', 'how many phases are destroyed at once', '4'),
    ['platform destroy -p 8 -e dev', 'platform destroy -p 2 -e local --cascade --yes'],
  ).action(run(() => import('./commands/destroy.js')));
  examples(envOption(selection(program.command('verify').description('re-run the verification gates of deployed phases and record them'))), ['platform verify -p 2 -e stg']).action(
    run(() => import('./commands/verify.js')),
  );
  examples(envOption(selection(program.command('check').description('static security rules and manifest schemas over the planned platform (offline; exit 1 only for blocking findings)'))), [
    'platform check -e prod',
    'platform check -p 1 -e local --json',
  ]).action(run(() => import('./commands/check.js')));
  examples(
    envOption(selection(program.command('cost').description('monthly cost estimate of the planned platform per phase, from the price table (offline)'))).option(
      '--prices <file>',
      'a price table JSON file instead of the committed one (docs/cost.md)',
    ),
    ['platform cost -e prod', 'platform cost -p 1..2 -e stg --json'],
  ).action(run(() => import('./commands/cost.js')));
  examples(envOption(program.command('report').description('posture report: gates, static checks and suppressions, Security Hub, GuardDuty, backups, cost (Markdown and HTML under .platform/reports/)')), [
    'platform report -e local',
    'platform report -e prod --json',
  ]).action(run(() => import('./commands/report.js')));
  examples(
    envOption(program.command('status').description('every phase: deployed, fresh or stale, gates, drift, promotable, last run; --all-envs: every env side by side'), false).option(
      '--all-envs',
      'a matrix of phases by env (every env in stacks/) instead of one env',
    ),
    ['platform status -e stg', 'platform status -e stg --json', 'platform status --all-envs'],
  ).action(run(() => import('./commands/status.js')));
  examples(
    envOption(program.command('outputs').description("a phase's outputs (secrets masked), or one value by name").argument('[name]', 'print only this output, as its bare value'))
      .requiredOption('-p, --phase <n>', 'the phase'),
    ['platform outputs -p 1 -e stg', 'platform outputs -p 1 -e stg vpcId', 'platform outputs -p 2 -e stg --json'],
  ).action(run(() => import('./commands/outputs.js')));

  examples(
    envOption(program.command('drift').description('resources changed outside the CLI, per deployed phase (a refresh in preview mode; changes nothing; exit 6 when found)')).option(
      '-p, --phase <spec>',
      'phases: N, A..B, A,B or names (default: every env phase with a program)',
      (v: string, prev?: string) => (prev === undefined ? v : `${prev},${v}`),
    ),
    ['platform drift -e stg', 'platform drift -e prod -p 1,2 --json'],
  ).action(run(() => import('./commands/drift.js')));
  examples(
    envOption(program.command('pipeline').description("the env's phase DAG as a GitHub Actions workflow (one job per phase, OIDC, drift schedule)")).option(
      '--out <file>',
      'write it to this file instead of stdout',
    ),
    ['platform pipeline -e prod --out .github/workflows/platform-prod.yml'],
  ).action(run(() => import('./commands/pipeline.js')));
  examples(
    envOption(program.command('repair').description('recover a stack left with pending operations by an interrupted update'))
      .requiredOption('-p, --phase <n>', 'the phase')
      .option('-y, --yes', 'accepted for scripts; it answers nothing: a pending create is dropped only when a lookup proves it absent, on a terminal, or with --drop-pending-create')
      .option('--drop-pending-create <urn>', 'drop this pending create (repeatable): only when you know the resource does not exist', (v: string, prev: string[] = []) => [...prev, v]),
    ['platform repair -p 2 -e stg'],
  ).action(run(() => import('./commands/repair.js')));
  examples(
    envOption(program.command('failover').description('print the ordered runbook that promotes the pilot-light DR side (reads phase 8 outputs; changes nothing)'))
      .requiredOption('--to <side>', 'where to fail over to: dr'),
    ['platform failover -e prod --to dr', 'platform failover -e prod --to dr --json'],
  ).action(run(() => import('./commands/failover.js')));
  examples(
    envOption(program.command('unlock').description("remove a stack's CLI lock left by a run on another host (asks first; shows the holder and its age)"))
      .requiredOption('-p, --phase <n>', 'the phase whose stack lock to remove')
      .option('-y, --yes', 'do not ask (needed off a terminal)'),
    ['platform unlock -p 2 -e stg'],
  ).action(run(() => import('./commands/unlock.js')));
  examples(
    envOption(program.command('bootstrap').description('create the state bucket and secrets key the env (or organization) file names, once, before the first up'), false)
      .option('--organization', "the organization stack's state and key, from stacks/organization.yaml (instead of --env)")
      .option('--dry-run', 'only show what would be created or changed')
      .option('--fix', 'change existing resources whose settings conflict with the file (otherwise bootstrap refuses)'),
    ['platform bootstrap --organization --dry-run', 'platform bootstrap -e stg'],
  ).action(run(() => import('./commands/bootstrap.js')));
  examples(
    program
      .command('eks-token')
      .description("print an EKS token as a kubectl ExecCredential (the kubeconfig's exec entry; no AWS CLI needed)")
      .requiredOption('--cluster <name>', 'the EKS cluster name')
      .requiredOption('--region <region>', "the cluster's region")
      .option('--role-arn <arn>', 'assume this role first (the env deploy role)')
      .option('--session-name <name>', 'role session name', 'platform-eks-token'),
    ['platform eks-token --cluster platform-stg --region eu-west-1'],
  ).action(run(() => import('./commands/eks-token.js')));
  examples(envOption(program.command('doctor').description('check Node, the engine, the backend, secrets and credentials'), false), ['platform doctor', 'platform doctor -e stg']).action(
    run(() => import('./commands/doctor.js')),
  );
  examples(program.command('completion').description('print a shell completion script').argument('<shell>', 'bash, zsh or fish'), [
    'platform completion bash > ~/.local/share/bash-completion/completions/platform',
    'platform completion zsh > "${fpath[1]}/_platform"',
    'platform completion fish > ~/.config/fish/completions/platform.fish',
  ]).action(run(() => import('./commands/completion.js')));
  examples(program.command('version').description('print the version'), ['platform version', 'platform --version']).action(async () => {
    process.stdout.write(`platform ${await version()}\n`);
  });

  try {
    if (args.length === 0) {
      // No arguments: the help, not silence.
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      const { reportUsage } = await import('./report.js');
      let message = cleanCommanderMessage(e.message);
      // `npm run platform up --env local` (no `--`): npm takes --env for itself and passes `up local`.
      if (process.env.npm_lifecycle_event === 'platform' && /required option|too many arguments/.test(message)) {
        message += `; with npm run, put -- before the CLI's options: npm run -s platform -- ${args.join(' ')} ...`;
      }
      return reportUsage(message, argv);
    }
    const { report } = await import('./report.js');
    return report(e, argv);
  }
}

export { EXIT_USAGE };
