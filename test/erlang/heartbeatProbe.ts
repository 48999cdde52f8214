/**
 * Runs `heartbeat_probe.escript` (real Erlang/OTP) over a request file and returns its answers by id.
 * Erlang is a hard requirement of the interop tests: when it is missing they fail with an install hint
 * instead of skipping, so CI can never go green without having checked the wire format.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROBE_SCRIPT = fileURLToPath(new URL('./heartbeat_probe.escript', import.meta.url));

export const ERLANG_MISSING =
  'Erlang/OTP is not installed (escript not found on PATH): install erlang-base and erlang-crypto ' +
  '(apt-get install erlang-base erlang-crypto); CI installs it. This test fails rather than skips.';

/** One answer line: `tag` (packet | decoded | etf | equal | error) and its space-separated fields. */
export interface ProbeAnswer {
  tag: string;
  fields: string[];
  /** Everything after the tag and id, unsplit (the `~w` printout contains spaces). */
  rest: string;
}

/** Hex-encodes a request argument; `undefined` becomes the probe's "none" marker. */
export const arg = (v: string | Uint8Array | undefined): string =>
  v === undefined ? '-' : Buffer.from(typeof v === 'string' ? Buffer.from(v, 'utf8') : v).toString('hex');

/** Runs the probe with one request per line; resolves to answers keyed by request id. */
export async function runHeartbeatProbe(
  requests: string[],
  opts: { escript?: string; timeoutMs?: number } = {},
): Promise<Map<string, ProbeAnswer>> {
  const dir = await mkdtemp(join(tmpdir(), 'hb-probe-'));
  try {
    const file = join(dir, 'requests.txt');
    await writeFile(file, requests.join('\n') + '\n');
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        opts.escript ?? 'escript',
        [PROBE_SCRIPT, file],
        { timeout: opts.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024 },
        (err, out, errOut) => {
          if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') return reject(new Error(ERLANG_MISSING));
          if (err) return reject(new Error(`escript failed: ${err.message}\n${errOut}`));
          resolve(out);
        },
      );
    });
    const answers = new Map<string, ProbeAnswer>();
    for (const line of stdout.split('\n').filter(Boolean)) {
      const [tag = '', id = '', ...fields] = line.split(' ');
      answers.set(id, { tag, fields, rest: fields.join(' ') });
    }
    return answers;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
