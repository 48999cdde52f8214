import type { Command } from 'commander';

/** What completion needs to know of the command tree: names, flags, and which flags take a value. */
interface Spec {
  globals: string[];
  /** Flags (global or not) followed by a value, whose value must not be taken for a command name. */
  valued: string[];
  commands: { name: string; flags: string[]; subs: string[] }[];
}

function flagsOf(cmd: Command): string[] {
  return cmd.options.flatMap((o) => [o.short, o.long].filter((f): f is string => !!f)).concat('--help');
}

function specOf(program: Command): Spec {
  const valued = new Set<string>();
  const visit = (c: Command) => {
    for (const o of c.options) if (o.required || o.optional) for (const f of [o.short, o.long]) if (f) valued.add(f);
    c.commands.forEach(visit);
  };
  visit(program);
  return {
    globals: flagsOf(program),
    valued: [...valued].sort(),
    commands: program.commands.map((c) => ({
      name: c.name(),
      flags: [...new Set([...flagsOf(c), ...c.commands.flatMap(flagsOf)])],
      subs: c.commands.map((s) => s.name()),
    })),
  };
}

/** A bash completion script (`source <(ex-esdb-console completion bash)`), generated from the command tree. */
export function bashCompletion(program: Command, bin = program.name()): string {
  const s = specOf(program);
  const fn = `_${bin.replace(/[^A-Za-z0-9]/g, '_')}`;
  const cases = s.commands
    .map((c) => `    ${c.name}) opts="${c.flags.join(' ')}"; subs="${c.subs.join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for ${bin}; load with: source <(${bin} completion bash)
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd="" sub="" i w skip=0
  local valued=" ${s.valued.join(' ')} "
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -*) [[ "$w" != *=* && "$valued" == *" $w "* ]] && skip=1 ;;
      *) if [[ -z "$cmd" ]]; then cmd=$w; elif [[ -z "$sub" ]]; then sub=$w; fi ;;
    esac
  done
  ((skip)) && return 0
  local opts="" subs=""
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts ${s.globals.join(' ')}" -- "$cur"))
  elif [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "${s.commands.map((c) => c.name).join(' ')}" -- "$cur"))
  elif [[ -n "$subs" && -z "$sub" ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  fi
  return 0
}
complete -o default -F ${fn} ${bin}
`;
}

/** A zsh completion script (`source <(ex-esdb-console completion zsh)`, or saved as `_ex-esdb-console` in $fpath). */
export function zshCompletion(program: Command, bin = program.name()): string {
  const s = specOf(program);
  const fn = `_${bin.replace(/[^A-Za-z0-9]/g, '_')}`;
  // _describe splits "name:description" at the first unescaped colon.
  const esc = (t: string) => t.replace(/'/g, "'\\''").replace(/:/g, '\\:');
  const described = program.commands.map((c) => `'${esc(c.name())}:${esc(c.description())}'`).join(' ');
  const cases = s.commands
    .map((c) => `    ${c.name}) opts=(${c.flags.join(' ')}); subs=(${c.subs.join(' ')}) ;;`)
    .join('\n');
  return `#compdef ${bin}
# zsh completion for ${bin}; load with: source <(${bin} completion zsh)
${fn}() {
  local -a commands opts subs globals valued
  commands=(${described})
  globals=(${s.globals.join(' ')})
  valued=(${s.valued.join(' ')})
  local cmd="" sub="" i w skip=0
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -*) [[ "$w" != *=* && \${valued[(Ie)$w]} -gt 0 ]] && skip=1 ;;
      *) if [[ -z "$cmd" ]]; then cmd=$w; elif [[ -z "$sub" ]]; then sub=$w; fi ;;
    esac
  done
  ((skip)) && return 0
  case "$cmd" in
${cases}
  esac
  if [[ "$PREFIX" == -* ]]; then
    compadd -- $opts $globals
  elif [[ -z "$cmd" ]]; then
    _describe -t commands 'command' commands
  elif (( \${#subs} > 0 )) && [[ -z "$sub" ]]; then
    compadd -- $subs
  else
    _files
  fi
}
if [[ "$funcstack[1]" == "${fn}" ]]; then ${fn} "$@"; else compdef ${fn} ${bin}; fi
`;
}
