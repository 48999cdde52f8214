import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { makeChalk } from '../../scripted/eventLines.js';
import { parseScenario, ScenarioFileError } from '../../scripted/scenario/parse.js';
import { headerLine, stepLine, summaryLine } from '../../scripted/scenario/report.js';
import { runScenario } from '../../scripted/scenario/runner.js';
import type { ScenarioResult } from '../../scripted/scenario/types.js';
import { UNAVAILABLE_CODES } from '../../scripted/unavailable.js';
import { EXIT, UsageError } from '../exitCodes.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';

/** The shipped scenarios: `<package>/fixtures/scenarios` (same depth from src/ and dist/). */
export const BUILTIN_DIR = fileURLToPath(new URL('../../../fixtures/scenarios/', import.meta.url));

function builtinFiles(): string[] {
  return existsSync(BUILTIN_DIR)
    ? readdirSync(BUILTIN_DIR)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
}

/** `01-basic-event-flow.json` answers to `basic-event-flow`, `01`, `1` and its file name. */
function builtinName(file: string): string {
  return basename(file, '.json').replace(/^\d+-/, '');
}

/** A path, or the name of a shipped scenario. */
export function resolveScenario(arg: string): string {
  if (existsSync(arg)) return arg;
  const files = builtinFiles();
  const hit =
    files.find((f) => f === arg || f === `${arg}.json` || builtinName(f) === arg) ??
    (/^\d+$/.test(arg) ? files.find((f) => Number(f.match(/^(\d+)-/)?.[1]) === Number(arg)) : undefined);
  if (!hit) {
    throw new UsageError(
      `no scenario file "${arg}" and no shipped scenario of that name; shipped: ${files.map(builtinName).join(', ') || '(none)'}`,
    );
  }
  return join(BUILTIN_DIR, hit);
}

interface ScenarioFlags {
  all?: boolean;
  list?: boolean;
  runId?: string;
}

export function registerScenario(program: Command, run: Runner): void {
  const cmd = program
    .command('scenario')
    .argument('[files...]', 'scenario files, or names of shipped scenarios (basic-event-flow, 1, ...)')
    .description(
      'run scenario files of steps (append, produce, observe, subscribe, ack, wait, expect ...) and report; exit 0 when all pass, 1 otherwise',
    )
    .option('--all', 'run every shipped scenario')
    .option('--list', 'list the shipped scenarios')
    .option('--run-id <id>', 'value of {{run}} in the files (default: a fresh id)')
    .addHelpText(
      'after',
      examples(
        'scenario --list',
        'scenario basic-event-flow',
        'scenario --all --json',
        'scenario ./my-scenario.json --connect 127.0.0.1:7001 --cookie s3cret',
      ) +
        `\n\nShipped scenarios live in ${BUILTIN_DIR}. With --json: one line per step, then one summary line per scenario.`,
    );
  cmd.action(
    run(async (config) => {
      const f = cmd.opts<ScenarioFlags>();
      const c = makeChalk(config.color);
      if (f.list) {
        for (const file of builtinFiles()) {
          const s = parseScenario(await readFile(join(BUILTIN_DIR, file), 'utf8'), file);
          if (config.json)
            process.stdout.write(
              `${JSON.stringify({ name: builtinName(file), file: join(BUILTIN_DIR, file), title: s.name, description: s.description })}\n`,
            );
          else
            process.stdout.write(
              `${builtinName(file).padEnd(24)} ${s.name}${s.description ? c.gray(` — ${s.description}`) : ''}\n`,
            );
        }
        return 0;
      }
      const args = cmd.args;
      if (f.all && args.length) throw new UsageError('give scenario files or --all, not both');
      const paths = f.all ? builtinFiles().map((x) => join(BUILTIN_DIR, x)) : args.map(resolveScenario);
      if (paths.length === 0)
        throw new UsageError('name a scenario file (or a shipped scenario, see --list), or pass --all');
      // Parse every file first: a typo in the third file should not cost two runs.
      const scenarios = await Promise.all(
        paths.map(async (p) => {
          const text = await readFile(p, 'utf8').catch((e: Error) => {
            throw new ScenarioFileError(`cannot read ${p}: ${e.message}`);
          });
          return { path: p, scenario: parseScenario(text, p) };
        }),
      );
      return withGater(config, async (gater) => {
        const results: ScenarioResult[] = [];
        for (const { path, scenario } of scenarios) {
          const out = (s: string) => process.stdout.write(`${s}\n`);
          if (!config.json) out(headerLine(scenario.name, path, scenario.description, c));
          const result = await runScenario(gater.api, scenario, {
            store: config.store,
            file: path,
            ...(f.runId !== undefined ? { runId: f.runId } : {}),
            onStep: (r) => out(config.json ? JSON.stringify({ scenario: scenario.name, ...r }) : stepLine(r, c)),
          });
          results.push(result);
          if (config.json) {
            const { steps, ...rest } = result;
            out(
              JSON.stringify({
                ...rest,
                failed: steps
                  .filter((s) => s.status === 'fail' && s.kind !== 'parallel')
                  .map((s) => ({ step: s.index, description: s.description, message: s.message })),
              }),
            );
          } else out(`${summaryLine(result, c)}\n`);
        }
        if (results.every((r) => r.passed)) return EXIT.ok;
        if (results.some((r) => r.abortedBy !== undefined && UNAVAILABLE_CODES.has(r.abortedBy)))
          return EXIT.unavailable;
        return EXIT.failed;
      });
    }),
  );
}
