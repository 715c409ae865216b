/**
 * `platform completion bash|zsh|fish`: a completion script for the shell, on stdout. Commands,
 * their options and the env names (read from stacks/ at completion time, by `ls`) complete.
 */
import { PlatformError } from '../../core/errors.js';
import type { GlobalOptions } from '../main.js';
import { report } from '../report.js';

const COMMANDS: Record<string, string[]> = {
  phases: [],
  up: ['--env', '-e', '--phase', '-p', '--from', '--all', '--parallel', '--diff', '--force', '--yes', '-y', '--outputs-file', '--skip-promotion-check'],
  preview: ['--env', '-e', '--phase', '-p', '--from', '--all', '--parallel', '--diff', '--expect-no-changes'],
  destroy: ['--env', '-e', '--phase', '-p', '--from', '--all', '--cascade', '--yes', '-y', '--parallel'],
  verify: ['--env', '-e', '--phase', '-p', '--from', '--all'],
  check: ['--env', '-e', '--phase', '-p', '--from', '--all'],
  cost: ['--env', '-e', '--phase', '-p', '--from', '--all', '--prices'],
  report: ['--env', '-e'],
  status: ['--env', '-e', '--all-envs'],
  outputs: ['--env', '-e', '--phase', '-p'],
  repair: ['--env', '-e', '--phase', '-p', '--yes', '-y', '--drop-pending-create'],
  unlock: ['--env', '-e', '--phase', '-p', '--yes', '-y'],
  bootstrap: ['--env', '-e', '--organization', '--dry-run', '--fix'],
  'eks-token': ['--cluster', '--region', '--role-arn', '--session-name'],
  doctor: ['--env', '-e'],
  pipeline: ['--env', '-e', '--out'],
  drift: ['--env', '-e', '--phase', '-p'],
  failover: ['--env', '-e', '--to'],
  completion: ['bash', 'zsh', 'fish'],
  version: [],
};
const GLOBAL = ['--engine', '--json', '--verbose', '--output', '--help', '--version'];
const ENVS = `ls stacks 2>/dev/null | sed -n 's/\\.yaml$//p' | grep -v '^organization'`;

function bash(): string {
  const cases = Object.entries(COMMANDS)
    .map(([c, o]) => `    ${c}) opts="${[...o, ...GLOBAL].join(' ')}" ;;`)
    .join('\n');
  return `# platform bash completion: source it, or put it in ~/.local/share/bash-completion/completions/platform
_platform() {
  local cur prev cmd opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${Object.keys(COMMANDS).join(' ')} ${GLOBAL.join(' ')}" -- "$cur") ); return
  fi
  case "$prev" in
    -e|--env) COMPREPLY=( $(compgen -W "$(${ENVS})" -- "$cur") ); return ;;
    --engine) COMPREPLY=( $(compgen -W "simulate pulumi" -- "$cur") ); return ;;
    --output) COMPREPLY=( $(compgen -W "fancy plain json" -- "$cur") ); return ;;
    -p|--phase|--from) COMPREPLY=( $(compgen -W "0 1 2 3 4 5 6 7 8 9 10" -- "$cur") ); return ;;
  esac
  case "$cmd" in
${cases}
    *) opts="${GLOBAL.join(' ')}" ;;
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -F _platform platform
`;
}

function zsh(): string {
  return `#compdef platform
# platform zsh completion: put it as _platform in a folder of your $fpath
_platform() {
  local -a cmds
  cmds=(${Object.keys(COMMANDS).join(' ')})
  if (( CURRENT == 2 )); then compadd -- $cmds ${GLOBAL.join(' ')}; return; fi
  case "\${words[CURRENT-1]}" in
    -e|--env) compadd -- $(${ENVS}); return ;;
    --engine) compadd -- simulate pulumi; return ;;
    --output) compadd -- fancy plain json; return ;;
    -p|--phase|--from) compadd -- 0 1 2 3 4 5 6 7 8 9 10; return ;;
  esac
  case "\${words[2]}" in
${Object.entries(COMMANDS)
  .map(([c, o]) => `    ${c}) compadd -- ${[...o, ...GLOBAL].join(' ')} ;;`)
  .join('\n')}
  esac
}
compdef _platform platform
`;
}

function fish(): string {
  const lines = [
    '# platform fish completion: put it in ~/.config/fish/completions/platform.fish',
    'complete -c platform -f',
    ...Object.keys(COMMANDS).map((c) => `complete -c platform -n '__fish_use_subcommand' -a ${c}`),
    `complete -c platform -s e -l env -x -a '(${ENVS})'`,
    `complete -c platform -s p -l phase -x -a '0 1 2 3 4 5 6 7 8 9 10'`,
    `complete -c platform -l engine -x -a 'simulate pulumi'`,
    `complete -c platform -l output -x -a 'fancy plain json'`,
    ...[...new Set(Object.values(COMMANDS).flat())]
      .filter((o) => o.startsWith('--') && !['--env', '--phase'].includes(o))
      .map((o) => `complete -c platform -l ${o.slice(2)}`),
    ...GLOBAL.filter((o) => !['--engine', '--output'].includes(o)).map((o) => `complete -c platform -l ${o.slice(2)}`),
  ];
  return lines.join('\n') + '\n';
}

export default async function completion(_opts: unknown, _globals: GlobalOptions, _name: string, args: string[]): Promise<number> {
  try {
    const shell = args[0] ?? '';
    const script = shell === 'bash' ? bash() : shell === 'zsh' ? zsh() : shell === 'fish' ? fish() : undefined;
    if (script === undefined) {
      throw new PlatformError('usage', `unknown shell '${shell}'`, { value: shell, hint: 'use one of bash, zsh, fish: platform completion bash' });
    }
    process.stdout.write(script);
    return 0;
  } catch (e) {
    return report(e, process.argv);
  }
}
