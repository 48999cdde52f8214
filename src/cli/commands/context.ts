import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { renderTable } from '../../core/index.js';
import { resolveConfig, type GlobalFlags } from '../config.js';
import {
  ContextStore,
  checkContextName,
  settingsFromFlags,
  type ContextFile,
  type ContextSettings,
} from '../contexts.js';
import { EXIT, UsageError, exitCodeFor } from '../exitCodes.js';
import { createOutput } from '../output.js';
import { examples } from './common.js';

/**
 * `context add|use|ls|show|rm`. These never resolve the current context themselves (a broken one must still be
 * fixable), so they run outside the usual Runner and report errors the same way it does.
 */
export function registerContext(
  program: Command,
  reportError: (e: unknown, json: boolean) => void,
  store: () => ContextStore = () => new ContextStore(),
): void {
  const globals = () => program.opts<GlobalFlags>();
  const act =
    (fn: (...args: string[]) => number) =>
    (...args: unknown[]): void => {
      try {
        process.exitCode = fn(...args.filter((a): a is string => typeof a === 'string'));
      } catch (e) {
        process.exitCode = exitCodeFor(e);
        reportError(e, globals().json === true);
      }
    };

  const ctx = program
    .command('context')
    .description('saved connection settings (seeds, cookie file, store, ...) used by every command and the console')
    .addHelpText(
      'after',
      examples(
        'context add prod --connect 10.0.0.5:7001,10.0.0.6:7001 --cookie-file ~/.prod.cookie --store reg_gh --use',
        'context ls',
        'context use staging',
        'status --context prod --json',
      ) +
        '\n\nPrecedence: flags, then a context named by --context or EX_ESDB_CONTEXT, then the environment, then the\n' +
        'current context (context use), then defaults. Secrets are kept in files (mode 0600), never in contexts.json.',
    );

  ctx
    .command('add')
    .argument('<name>', 'context name (letters, digits, ".", "_", "-")')
    .description('save the connection flags given on this command line as a context')
    .option('--use', 'make it the current context')
    .option('--force', 'replace an existing context of that name')
    .option('--description <text>', 'a note shown by context ls')
    .addHelpText(
      'after',
      examples(
        'context add local --connect 127.0.0.1:7001 --cookie-file ./cookie --use',
        'context add beam --beam ex_esdb@node0 --cookie-file ~/.erlang.cookie',
        'context add dev --storage sqlite:./dev.db --store reg_dev',
      ) +
        '\n\nA --cookie or --secret given by value is written to its own user-only file, and the context keeps its path.',
    )
    .action(
      act((name) => {
        checkContextName(name);
        const opts = ctx.commands
          .find((c) => c.name() === 'add')!
          .opts<{ use?: boolean; force?: boolean; description?: string }>();
        const s = store();
        const file = s.load();
        if (file.contexts[name] !== undefined && opts.force !== true)
          throw new UsageError(`context "${name}" exists; add --force to replace it`);
        const flags = globals();
        const settings = settingsFromFlags(flags);
        if (flags.cookieFile !== undefined) settings.cookieFile = resolve(flags.cookieFile);
        if (flags.secretFile !== undefined) settings.secretFile = resolve(flags.secretFile);
        if (Object.keys(settings).length === 0 && flags.cookie === undefined && flags.secret === undefined)
          throw new UsageError(
            'nothing to save: give the connection flags on this command line, e.g. context add prod --connect host:7001 --cookie-file ./cookie',
          );
        // Checked like any command's flags (seeds, storage spec, ports, readable files) before anything is written.
        resolveConfig({ ...settingsAsFlags(settings), cookie: flags.cookie, secret: flags.secret }, {});
        if (flags.cookie !== undefined) settings.cookieFile = s.writeSecret(name, 'cookie', flags.cookie);
        if (flags.secret !== undefined) settings.secretFile = s.writeSecret(name, 'secret', flags.secret);
        if (opts.description !== undefined) settings.description = opts.description;
        const out = createOutput(flags.json === true);
        for (const path of [settings.cookieFile, settings.secretFile])
          if (path !== undefined && (statSync(path).mode & 0o077) !== 0)
            out.note(`⚠️  ${path} is readable by other users; chmod 600 it`);
        const next: ContextFile = {
          current: opts.use === true ? name : file.current,
          contexts: { ...file.contexts, [name]: settings },
        };
        s.save(next);
        out.result(
          { context: name, current: next.current === name, saved: settings, path: s.path },
          () => `saved context ${name}${next.current === name ? ' (current)' : ''} in ${s.path}`,
        );
        return EXIT.ok;
      }),
    );

  ctx
    .command('use')
    .argument('[name]', 'context to make current')
    .option('--none', 'no current context any more')
    .description('choose the context every command uses by default')
    .addHelpText('after', examples('context use prod', 'context use --none'))
    .action(
      act((name) => {
        const none = ctx.commands.find((c) => c.name() === 'use')!.opts<{ none?: boolean }>().none === true;
        if ((name === undefined) === !none) throw new UsageError('give a context name or --none (see context ls)');
        const s = store();
        const file = s.load();
        if (name !== undefined && file.contexts[name] === undefined)
          throw new UsageError(`no context "${name}"; known: ${Object.keys(file.contexts).join(', ') || 'none'}`);
        s.save({ ...file, current: name });
        createOutput(globals().json === true).result({ current: name ?? null }, () =>
          name === undefined ? 'no current context' : `current context: ${name}`,
        );
        return EXIT.ok;
      }),
    );

  ctx
    .command('ls')
    .description('list the saved contexts (* marks the current one)')
    .addHelpText('after', examples('context ls', 'context ls --json'))
    .action(
      act(() => {
        const s = store();
        const file = s.load();
        const out = createOutput(globals().json === true);
        const names = Object.keys(file.contexts).sort();
        if (names.length === 0) {
          out.note(`(no contexts in ${s.path}; add one with: context add <name> --connect host:port --cookie-file f)`);
          return EXIT.ok;
        }
        if (out.json) {
          for (const n of names) out.result({ context: n, current: file.current === n, ...file.contexts[n] }, () => '');
          return EXIT.ok;
        }
        const rows = names.map((n) => {
          const c = file.contexts[n]!;
          return [file.current === n ? '*' : ' ', n, target(c), c.store ?? '', c.description ?? ''];
        });
        out.line(renderTable([' ', 'NAME', 'TARGET', 'STORE', 'DESCRIPTION'], rows));
        return EXIT.ok;
      }),
    );

  ctx
    .command('show')
    .argument('[name]', 'context (default: the current one)')
    .description("print a context's settings")
    .addHelpText('after', examples('context show prod --json'))
    .action(
      act((name) => {
        const file = store().load();
        const n = name ?? file.current;
        if (n === undefined) throw new UsageError('no current context; name one (see context ls)');
        const c = file.contexts[n];
        if (c === undefined) throw new UsageError(`no context "${n}" (see context ls)`);
        createOutput(globals().json === true).result({ context: n, current: file.current === n, ...c }, () =>
          [
            `context ${n}${file.current === n ? ' (current)' : ''}`,
            ...Object.entries(c).map(([k, v]) => `  ${k}: ${String(v)}`),
          ].join('\n'),
        );
        return EXIT.ok;
      }),
    );

  ctx
    .command('rm')
    .alias('delete')
    .argument('<name>', 'context to delete')
    .description('delete a saved context (files holding its secrets are left in place)')
    .addHelpText('after', examples('context rm staging'))
    .action(
      act((name) => {
        const s = store();
        const file = s.load();
        if (file.contexts[name] === undefined) throw new UsageError(`no context "${name}" (see context ls)`);
        const { [name]: _removed, ...rest } = file.contexts;
        s.save({ current: file.current === name ? undefined : file.current, contexts: rest });
        createOutput(globals().json === true).result({ context: name, deleted: true }, () => `deleted context ${name}`);
        return EXIT.ok;
      }),
    );
}

function settingsAsFlags(c: ContextSettings): GlobalFlags {
  const { description: _d, ...flags } = c;
  return flags;
}

function target(c: ContextSettings): string {
  if (c.connect) return c.connect;
  if (c.beam) return `beam ${c.beam}`;
  if (c.cluster || c.secretFile) return 'gossip';
  return c.storage ? `embedded ${c.storage}` : 'embedded';
}
