/**
 * Issue #11 item 1, second half: mutual TLS on links, with certificates openssl makes for this test. Real node
 * child processes on loopback; the gateway is the package's startGater, the CLI, or the bare transport client.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGater, type Gater } from '../../src/gateway/index.js';
import { connectRpc, readTlsFiles, startRpcServer, type RpcClientOptions } from '../../src/core/transport/index.js';
import { toGaterError } from '../../src/core/errors.js';
import { BIN, randomGossipPort, spawnNode, waitFor, type NodeProcess } from '../helpers/cluster.js';
import { makeTestPki, tlsEnv, type TestPki } from '../helpers/tlsCerts.js';

const run = promisify(execFile);
const COOKIE = 'tls_t3st_c00kie_5d1e9a0c7b28f4';
const SECRET = 'tls_t3st_s3cret_a8c2e61f09d7b3';
/** A string that must never cross the wire in clear when TLS is on. */
const MARKER = 'greenhouse-marker-4e7b1d';

/** A TCP relay that forwards both ways unchanged and keeps every byte it saw. */
async function startCapturingRelay(target: string): Promise<{ port: number; bytes(): Buffer; close(): Promise<void> }> {
  const [host, port] = target.split(':') as [string, string];
  const seen: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (d: Buffer) => (seen.push(d), upstream.write(d)));
    upstream.on('data', (d: Buffer) => (seen.push(d), client.write(d)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    bytes: () => Buffer.concat(seen),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** The bare transport client's outcome: the node's name, or the error it failed with. */
async function dial(address: string, extra: Partial<RpcClientOptions>): Promise<{ code: string; message: string }> {
  const [host, port] = address.split(':') as [string, string];
  try {
    const conn = await connectRpc({ host, port: Number(port), nodeName: 'probe@test', cookie: COOKIE, ...extra });
    conn.close();
    return { code: 'ok', message: conn.remoteNode };
  } catch (e) {
    const err = toGaterError(e);
    return { code: err.code, message: err.message };
  }
}

describe('mutual TLS on links', () => {
  let pki: TestPki;
  let tlsNode: NodeProcess;
  let plainNode: NodeProcess;
  const gossipPort = randomGossipPort();
  const gaters: Gater[] = [];
  const relays: { close(): Promise<void> }[] = [];

  const gateway = async (address: string, tls = true): Promise<Gater> => {
    const g = await startGater({
      connect: [address],
      cookie: COOKIE,
      tls: tls ? readTlsFiles(pki.client) : undefined,
      timeoutMs: 3000,
      noWorkersWaitMs: 2000,
    });
    gaters.push(g);
    return g;
  };

  beforeAll(async () => {
    pki = makeTestPki();
    [tlsNode, plainNode] = await Promise.all([
      spawnNode({ cookie: COOKIE, secret: SECRET, gossipPort, env: tlsEnv(pki.node) }),
      spawnNode({ cookie: COOKIE, gossipPort: randomGossipPort(), extraArgs: ['--no-gossip'] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all(gaters.map((g) => g.stop()));
    await Promise.all(relays.map((r) => r.close()));
    await Promise.all([tlsNode?.kill('SIGKILL'), plainNode?.kill('SIGKILL')]);
    pki?.remove();
  });

  it('a gateway with a certificate from the CA appends and reads over TLS', async () => {
    const g = await gateway(tlsNode.address);
    await waitFor(() => g.api.gatewayWorkersForStore('reg_gh').length > 0, 5000, 'linked over TLS');
    expect(await g.api.appendEvents('reg_gh', 'tls-ok', [{ eventType: 'paid:v1', data: { amount: 1 } }])).toBe(0);
    expect((await g.api.getEvents('reg_gh', 'tls-ok', 0, 10)).map((e) => e.data)).toEqual([{ amount: 1 }]);
  });

  it('nothing of an event crosses the wire in clear with TLS, and it does without (the check can fail)', async () => {
    const viaTls = await startCapturingRelay(tlsNode.address);
    const viaPlain = await startCapturingRelay(plainNode.address);
    relays.push(viaTls, viaPlain);
    const gTls = await gateway(`127.0.0.1:${viaTls.port}`);
    const gPlain = await gateway(`127.0.0.1:${viaPlain.port}`, false);
    for (const g of [gTls, gPlain]) {
      await waitFor(() => g.api.gatewayWorkersForStore('reg_gh').length > 0, 5000, 'linked through the relay');
      await g.api.appendEvents('reg_gh', 'wire', [{ eventType: 'note:v1', data: { text: MARKER } }]);
      const read = await g.api.getEvents('reg_gh', 'wire', 0, 10);
      expect(read.map((e) => (e.data as { text: string }).text)).toContain(MARKER);
    }
    expect(viaTls.bytes().length).toBeGreaterThan(1000);
    expect(viaTls.bytes().includes(MARKER)).toBe(false);
    expect(viaTls.bytes().includes('"hello"')).toBe(false); // the handshake too
    expect(viaPlain.bytes().includes(MARKER)).toBe(true);
  });

  it('a client whose certificate another CA signed is refused, and the node keeps serving', async () => {
    const r = await dial(tlsNode.address, { tls: readTlsFiles(pki.stranger) });
    expect(r.code).toBe('unauthorized');
    expect(r.message).toMatch(/refused the client's TLS certificate \(\w+\): it must be signed by the CA/);
    expect(tlsNode.proc.exitCode).toBeNull();
    expect((await dial(tlsNode.address, { tls: readTlsFiles(pki.client) })).code).toBe('ok');
  });

  it("a gateway that does not trust the node's CA refuses the node", async () => {
    const r = await dial(tlsNode.address, { tls: { ...readTlsFiles(pki.client), ca: readFileSync(pki.otherCa) } });
    expect(r.code).toBe('unauthorized');
    expect(r.message).toMatch(/certificate of .* is not trusted/);
  });

  it('a plaintext client to a TLS node is told the node requires TLS', async () => {
    const r = await dial(tlsNode.address, {});
    expect(r).toMatchObject({ code: 'unauthorized' });
    expect(r.message).toMatch(/requires TLS/);
  });

  it('a TLS client to a plaintext node is told the node does not speak TLS', async () => {
    const r = await dial(plainNode.address, { tls: readTlsFiles(pki.client) });
    expect(r.code).toBe('unauthorized');
    expect(r.message).toMatch(/does not speak TLS/);
    expect(plainNode.proc.exitCode).toBeNull();
  });

  it('a gateway logs a TLS refusal once, as itself, without the wrong-cookie hint', async () => {
    const lines: string[] = [];
    const g = await startGater({
      connect: [plainNode.address],
      cookie: COOKIE,
      tls: readTlsFiles(pki.client),
      log: (level, msg) => lines.push(`${level} ${msg}`),
    });
    gaters.push(g);
    await waitFor(() => g.cluster.status().unauthorized.length > 0, 5000, 'the refusal in status');
    expect(g.cluster.status().unauthorized[0]!.message).toMatch(/does not speak TLS/);
    const refusals = lines.filter((l) => l.includes('refused us'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/^error .*does not speak TLS/);
    expect(refusals[0]).not.toMatch(/same cookie/);
  });

  it('the node counts the refused TLS handshakes and plaintext clients, fetched over a TLS link', async () => {
    const g = await gateway(tlsNode.address);
    await waitFor(() => g.api.gatewayWorkersForStore('reg_gh').length > 0, 5000, 'linked');
    const link = g.registry.links()[0] as unknown as { counters(ms: number): Promise<Record<string, number>> };
    const counters = await link.counters(2000);
    expect(counters.tlsRefused).toBeGreaterThanOrEqual(1);
    expect(counters.plaintextRefused).toBeGreaterThanOrEqual(1);
  });

  it('the CLI finds the TLS node by gossip and appends and reads with --tls-* flags', async () => {
    const common = [
      BIN,
      '--json',
      '--cluster',
      '--secret',
      SECRET,
      '--cookie',
      COOKIE,
      '--gossip-if',
      '127.0.0.1',
      '--gossip-port',
      String(gossipPort),
      '--tls-cert',
      pki.client.cert,
      '--tls-key',
      pki.client.key,
      '--tls-ca',
      pki.client.ca,
    ];
    const env = { ...process.env, EX_ESDB_HEARTBEAT_MS: '200', CI: '1' };
    const a = await run(
      process.execPath,
      [...common, 'append', 'cli-tls', '--type', 'paid:v1', '--data', '{"amount":3}'],
      {
        env,
      },
    );
    expect(a.stdout).toMatch(/"version":0|"version": 0|0/);
    const r = await run(process.execPath, [...common, 'read', 'cli-tls'], { env });
    expect(r.stdout).toContain('"amount":3');
  });

  it('a missing certificate file or an incomplete set is a usage error naming it, before anything starts', async () => {
    const attempt = async (env: Record<string, string>) => {
      try {
        await run(process.execPath, [BIN, '--connect', tlsNode.address, '--cookie', COOKIE, 'status'], {
          env: { ...process.env, CI: '1', ...env },
        });
        return { code: 0, stderr: '' };
      } catch (e) {
        const r = e as { code: number; stderr: string };
        return { code: r.code, stderr: r.stderr };
      }
    };
    const missing = await attempt({ ...tlsEnv(pki.client), EX_ESDB_TLS_CERT: `${pki.dir}/nope.crt` });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/EX_ESDB_TLS_CERT: cannot read .*nope\.crt \(ENOENT\)/);
    const partial = await attempt({ EX_ESDB_TLS_CERT: pki.client.cert });
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/missing --tls-key, --tls-ca/);
    const mismatched = await attempt({ ...tlsEnv(pki.client), EX_ESDB_TLS_KEY: pki.node.key });
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr).toMatch(/key does not belong to the certificate/);
  });
});

describe('a TLS listener gives back what refused connections held', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => pki?.remove());

  it('refused TLS, plaintext and good connections free their handshake slots; close() ends TLS sessions', async () => {
    const server = await startRpcServer({
      nodeName: 'slots@test',
      cookie: COOKIE,
      tls: readTlsFiles(pki.node),
      // Two slots per source: a leak shows after two refusals. No rate limit here: slots are what is measured.
      maxPendingPerSource: 2,
      authFailures: { burst: 1000, perSecond: 1000 },
      plaintextProbeMs: 200,
      welcome: () => ({ stores: [], workers: [], storages: {} }),
      handler: async () => null,
    });
    const address = `127.0.0.1:${server.port}`;
    try {
      for (let i = 0; i < 3; i++) {
        expect((await dial(address, { tls: readTlsFiles(pki.stranger) })).code).toBe('unauthorized');
        expect((await dial(address, {})).message).toMatch(/requires TLS/);
        expect(
          (await dial(address, { tls: { ...readTlsFiles(pki.client), ca: readFileSync(pki.otherCa) } })).code,
        ).toBe('unauthorized');
      }
      const [host, port] = address.split(':') as [string, string];
      const conn = await connectRpc({
        host,
        port: Number(port),
        nodeName: 'ok@test',
        cookie: COOKIE,
        tls: readTlsFiles(pki.client),
      });
      const closed = new Promise<string>((r) => conn.onClose(r));
      expect(server.stats()).toMatchObject({ tlsRefused: 6, plaintextRefused: 3, accepted: 1, overCapacity: 0 });
      await server.close();
      expect(await closed).toBeTruthy();
    } finally {
      await server.close();
    }
  });
});
