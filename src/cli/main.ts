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
    .option('--phase <spec>', 'phases: N, A..B or A,B (e.g. 2..5)')
    .option('--from <n>', 'phase N and every later phase')
    .option('--all', 'every phase');
}

function envOption(cmd: Command, required = true): Command {
  return required ? cmd.requiredOption('--env <name>', 'environment (a file stacks/<name>.yaml)') : cmd.option('--env <name>', 'environment (stacks/<name>.yaml)');
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('platform')
    .description('Builds an AWS/EKS platform in eleven ordered, gated phases through Pulumi')
    .addOption(new Option('--engine <engine>', 'engine override').choices(['simulate', 'pulumi']))
    .option('--json', 'NDJSON events on stdout, one summary line last')
    .option('--verbose', 'show unchanged resources, info diagnostics and stack traces of bugs')
    .addOption(new Option('--output <mode>', 'progress display').choices(['fancy', 'plain', 'json']))
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} });

  const run = (load: () => Promise<{ default: (opts: any, globals: GlobalOptions, name: string) => Promise<number> }>) =>
    async function (this: Command, opts: unknown) {
      const mod = await load();
      exitCode = await mod.default(opts, this.optsWithGlobals() as GlobalOptions, this.name());
    };

  program.command('phases').description('list the phases, their dependencies and changes from the original plan').action(run(() => import('./commands/phases.js')));

  for (const name of ['up', 'preview'] as const) {
    const c = envOption(selection(program.command(name).description(name === 'up' ? 'deploy phases in dependency order, with gates' : 'show what up would change')));
    c.option('--parallel <n>', 'how many independent phases run at once', '4');
    if (name === 'up') c.option('--force', 'run phases even when unchanged');
    c.action(run(() => import('./commands/up.js')));
  }
  envOption(selection(program.command('destroy').description('destroy phases in reverse order')))
    .option('--cascade', 'also destroy deployed phases that depend on the selected ones')
    .option('--yes', 'do not ask for confirmation')
    .option('--parallel <n>', 'how many phases are destroyed at once', '4')
    .action(run(() => import('./commands/destroy.js')));
  envOption(selection(program.command('verify').description('re-run the verification gates of deployed phases and record them'))).action(
    run(() => import('./commands/verify.js')),
  );
  envOption(selection(program.command('check').description('static security rules and manifest schemas over the planned platform (offline)'))).action(
    run(() => import('./commands/check.js')),
  );
  envOption(program.command('status').description('every phase: deployed, fresh or stale, gates, last run')).action(run(() => import('./commands/status.js')));
  envOption(program.command('outputs').description("a phase's outputs (secrets masked)"))
    .requiredOption('--phase <n>', 'the phase')
    .action(run(() => import('./commands/outputs.js')));

  envOption(program.command('repair').description('recover a stack left with pending operations by an interrupted update'))
    .requiredOption('--phase <n>', 'the phase')
    .option('--yes', 'accepted for scripts; it answers nothing: a pending create is dropped only when a lookup proves it absent, on a terminal, or with --drop-pending-create')
    .option('--drop-pending-create <urn>', 'drop this pending create (repeatable): only when you know the resource does not exist', (v: string, prev: string[] = []) => [...prev, v])
    .action(run(() => import('./commands/repair.js')));
  envOption(program.command('bootstrap').description('create the state bucket and secrets key the env (or organization) file names, once, before the first up'), false)
    .option('--organization', 'the organization stack\'s state and key, from stacks/organization.yaml (instead of --env)')
    .option('--dry-run', 'only show what would be created or changed')
    .option('--fix', 'change existing resources whose settings conflict with the file (otherwise bootstrap refuses)')
    .action(run(() => import('./commands/bootstrap.js')));
  program
    .command('eks-token')
    .description("print an EKS token as a kubectl ExecCredential (the kubeconfig's exec entry; no AWS CLI needed)")
    .requiredOption('--cluster <name>', 'the EKS cluster name')
    .requiredOption('--region <region>', "the cluster's region")
    .option('--role-arn <arn>', 'assume this role first (the env deploy role)')
    .option('--session-name <name>', 'role session name', 'platform-eks-token')
    .action(run(() => import('./commands/eks-token.js')));
  envOption(program.command('doctor').description('check Node, the engine, the backend, secrets and credentials'), false).action(run(() => import('./commands/doctor.js')));

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      const message = e.message.replace(/^error: /, '');
      const { reportUsage } = await import('./report.js');
      return reportUsage(message, argv);
    }
    const { report } = await import('./report.js');
    return report(e, argv);
  }
}

export { EXIT_USAGE };
