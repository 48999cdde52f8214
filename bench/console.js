// npm run bench:console — the console under load (issue 15's long run): 10 greenhouse producers as fast as
// their 1 ms period allows, first headless, then with the Ink console showing a live `$all` monitor. Reports the
// producers' rate with the monitor against headless (target: within 20 %), the heap growth beyond what the
// memory store's own events take (target: < 50 MB), and how fast a key is answered while events pour in
// (target: < 200 ms). BENCH_CONSOLE_SECONDS (default 60) sets the length of each phase.
process.env.NODE_ENV ??= 'production'; // as bin does: React's production build
// Ink draws no frames while it believes it runs in CI (is-in-ci reads these at import): this bench drives it with
// its own terminal and must see every frame, in CI too.
for (const k of Object.keys(process.env))
  if (k === 'CI' || k === 'CONTINUOUS_INTEGRATION' || k.startsWith('CI_')) delete process.env[k];
const { EventEmitter } = await import('node:events');
const { fileURLToPath } = await import('node:url');
const { setFlagsFromString } = await import('node:v8');
const { runInNewContext } = await import('node:vm');
const { performance } = await import('node:perf_hooks');
const React = (await import('react')).default;
const { render } = await import('ink');
const { startGater } = await import('../dist/index.js');
const { App } = await import('../dist/console/App.js');
const { LogStore } = await import('../dist/console/feed.js');
const { ConsoleServices } = await import('../dist/console/services.js');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const SECONDS = Number(process.env.BENCH_CONSOLE_SECONDS) || 60;
const PRODUCERS = 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const heap = async () => {
  for (let i = 0; i < 3; i++) {
    await sleep(5);
    gc();
  }
  return process.memoryUsage().heapUsed;
};

/** A terminal for Ink that keeps only the last frame (a real terminal keeps nothing). */
class Terminal extends EventEmitter {
  columns = 120;
  rows = 50;
  isTTY = true;
  last = '';
  waiters = [];
  write = (frame) => {
    this.last = frame;
    for (const w of [...this.waiters]) if (w.test(frame)) w.resolve(performance.now());
    return true;
  };
  /** Resolves with the time of the first frame written after now that matches. */
  next(re) {
    return new Promise((resolve) => {
      const w = {
        test: (f) => re.test(f),
        resolve: (t) => (this.waiters.splice(this.waiters.indexOf(w), 1), resolve(t)),
      };
      this.waiters.push(w);
    });
  }
}
class Keyboard extends EventEmitter {
  isTTY = true;
  data = null;
  type(s) {
    this.data = s;
    this.emit('readable');
  }
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

const renders = { n: 0, ms: 0 };
async function phase(withConsole) {
  const gater = await startGater({ log: () => {} });
  const services = new ConsoleServices(gater, new LogStore());
  let ink;
  const term = new Terminal();
  const keys = new Keyboard();
  if (withConsole) {
    ink = render(React.createElement(App, { services, config: { color: false } }), {
      stdout: term,
      stderr: new Terminal(),
      stdin: keys,
      exitOnCtrlC: false,
      patchConsole: false,
      onRender: ({ renderTime }) => {
        renders.n++;
        renders.ms += renderTime;
      },
    });
    await services.createObserver('all_obs', 'by_stream', '$all');
    const menu = term.next(/Select an option/);
    await sleep(300);
    const pick = term.next(/Enter observer name|observer name/i);
    keys.type('5');
    await sleep(50);
    keys.type('\r');
    await pick;
    await sleep(100);
    const monitor = term.next(/Monitoring Observer: all_obs[\s\S]*q quit/);
    keys.type('all_obs');
    await sleep(50);
    keys.type('\r');
    await monitor;
    void menu;
  }
  const heap0 = await heap();
  services.startProducers(PRODUCERS, { batchSize: 1, periodMs: 1 });
  const latencies = [];
  const t0 = performance.now();
  let paused = false;
  while (performance.now() - t0 < SECONDS * 1000) {
    await sleep(2000);
    if (!withConsole) continue;
    // space pauses, space resumes: the time until the frame says so is the key's latency
    const want = paused ? /● LIVE/ : /PAUSED/;
    const at = performance.now();
    const shown = term.next(want);
    keys.type(' ');
    latencies.push((await shown) - at);
    paused = !paused;
  }
  const elapsed = (performance.now() - t0) / 1000;
  await services.producers.stopAll();
  const produced = Number(await gater.api.getHeadPosition(gater.store)) + 1;
  const heap1 = await heap();
  const seen = withConsole ? services.observers.get('all_obs').seen : 0;
  ink?.unmount();
  await services.shutdown();
  await gater.stop();
  return {
    rate: produced / elapsed,
    produced,
    grew: heap1 - heap0,
    latencies,
    seen,
    fps: renders.n / elapsed,
    frameMs: renders.ms / Math.max(1, renders.n),
  };
}

// Each phase runs in a process of its own: in one process the first phase's store was still on the heap when the
// second began (released at some later point), so heap differences came out negative. A fresh process per phase
// starts from the same empty heap.
const PHASE = process.env.BENCH_CONSOLE_PHASE;
if (PHASE) {
  const r = await phase(PHASE === 'console');
  process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
  process.exit(0);
}
const { execFileSync } = await import('node:child_process');
const runPhase = (name) => {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_CONSOLE_PHASE: name },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`the ${name} phase printed no result`);
  return JSON.parse(line.slice('RESULT '.length));
};
const headless = process.env.BENCH_CONSOLE_ONLY ? { produced: 1, rate: 1, grew: 0 } : runPhase('headless');
console.log(
  `headless: ${headless.produced} events in ${SECONDS} s = ${headless.rate.toFixed(0)} events/s, heap +${(headless.grew / 1e6).toFixed(0)} MB (the memory store's own)`,
);
const withMonitor = runPhase('console');
const perEvent = headless.grew / headless.produced;
const beyondStore = withMonitor.grew - perEvent * withMonitor.produced;
const lat = [...withMonitor.latencies].sort((a, b) => a - b);
const worst = lat[lat.length - 1] ?? Infinity;
const ratio = withMonitor.rate / headless.rate;
const results = [
  [
    'producers with a $all monitor open vs headless',
    `${withMonitor.rate.toFixed(0)} vs ${headless.rate.toFixed(0)} events/s (${(ratio * 100).toFixed(0)} %; monitor saw ${withMonitor.seen}; ${withMonitor.fps.toFixed(1)} frames/s at ${withMonitor.frameMs.toFixed(1)} ms each)`,
    '>= 80 %',
    ratio >= 0.8,
  ],
  [
    'heap growth beyond the memory store',
    `${(beyondStore / 1e6).toFixed(1)} MB (total +${(withMonitor.grew / 1e6).toFixed(0)} MB, store ~${perEvent.toFixed(0)} B/event)`,
    '< 50 MB',
    beyondStore < 50e6,
  ],
  [
    'key answered (space pause/resume) while events flow',
    `median ${lat[Math.floor(lat.length / 2)]?.toFixed(0)} ms, worst ${worst.toFixed(0)} ms of ${lat.length}`,
    '< 200 ms',
    worst < 200,
  ],
];
for (const [name, value, target, ok] of results)
  console.log(`${ok ? 'PASS' : 'MISS'}  ${name}: ${value}   (target: ${target})`);
process.exit(results.every((r) => r[3]) ? 0 : 1);
