import chalk, { Chalk, type ChalkInstance } from 'chalk';
import { LOG_LEVELS, type LogFn, type LogThreshold } from '../core/index.js';

/** The command line's `--log-level`: a level, or `silent`. */
export type LogLevel = LogThreshold;
const LEVELS: readonly LogThreshold[] = [...LOG_LEVELS, 'silent'];

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/**
 * Tag colours after the reference themes (EXESDB_SPEC §6.7), as 256-colour fg/bg pairs:
 * the tag in brackets at the start of a message picks its colour.
 */
const TAG_COLOURS: [RegExp, (c: ChalkInstance) => ChalkInstance][] = [
  [/^\[(GatewayWorker|GatewaySystem|GatewaySupervisor|GatewayApi)\]/, (c) => c.ansi256(14).bgAnsi256(0)],
  [/^\[(ClusterMonitor)\]|^🔗/, (c) => c.ansi256(6).bgAnsi256(0)],
  [/^\[(GaterAPI)\]|^🚪/, (c) => c.ansi256(2).bgAnsi256(0)],
  [/^\[(GaterSystem|System)\]|^🏭/, (c) => c.ansi256(5).bgAnsi256(0)],
  [/^\[(GaterApp)\]/, (c) => c.ansi256(4).bgAnsi256(0)],
  [/^\[(Store|StoreNode)\]/, (c) => c.ansi256(0).bgAnsi256(2)],
  [/^\[(Gossip|Cluster)\]/, (c) => c.ansi256(3).bgAnsi256(4)],
];

/** A LogFn writing themed lines to a stream (stderr by default), filtered by level. */
export function createLogger(
  level: LogLevel = 'info',
  options: { color?: boolean; write?: (line: string) => void } = {},
): LogFn {
  const c = options.color === false ? new Chalk({ level: 0 }) : chalk;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  return (lvl, msg) => {
    if (RANK[lvl] < RANK[level]) return;
    const rule = TAG_COLOURS.find(([re]) => re.test(msg));
    const m = msg.match(/^(\[[^\]]+\]|\S+)(.*)$/s);
    let text = msg;
    if (rule && m) text = rule[1](c)(m[1]!) + m[2]!;
    if (lvl === 'error') text = c.red(text);
    else if (lvl === 'warn') text = c.yellow(text);
    const ts = new Date().toISOString().slice(11, 23);
    write(`${c.gray(ts)} ${text}`);
  };
}

export function parseLogLevel(v: string | undefined): LogLevel {
  const l = (v ?? 'info').toLowerCase();
  return (LEVELS as readonly string[]).includes(l) ? (l as LogLevel) : 'info';
}
