import { toGaterError } from '../errors.js';
import type { ClusterStatus } from '../cluster/clusterMonitor.js';
import type { GaterApi } from '../api/gaterApi.js';
import type { Gater } from '../gater.js';
import { plural } from '../util/text.js';
import type { Threshold } from './thresholds.js';

/** Verdicts in the monitoring-plugin convention (Nagios, Icinga, Sensu, `nats server check`). */
export const CHECK_STATUSES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];
/** The exit code a monitor reads: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
export const CHECK_EXIT: Record<CheckStatus, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

export interface CheckReason {
  status: Exclude<CheckStatus, 'OK'>;
  message: string;
}

export interface CheckResult {
  check: 'cluster' | 'store' | 'subscription';
  store: string;
  status: CheckStatus;
  /** Why the status is not OK (empty when OK), worst first. */
  reasons: CheckReason[];
  /** One short line that says what was measured, for the OK case and the plugin output. */
  summary: string;
  /** Measured values (numbers, or null when not measured), for --json and perfdata. */
  metrics: Record<string, number | null>;
}

const RANK: Record<CheckStatus, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };

function verdict(
  check: CheckResult['check'],
  store: string,
  summary: string,
  reasons: CheckReason[],
  metrics: CheckResult['metrics'],
): CheckResult {
  const sorted = [...reasons].sort((a, b) => RANK[b.status] - RANK[a.status]);
  return { check, store, status: sorted[0]?.status ?? 'OK', reasons: sorted, summary, metrics };
}

/** A value above a bound: the reason it gives, if any. */
function above(value: number, t: Threshold, what: (bound: number) => string): CheckReason | undefined {
  if (t.crit !== undefined && value > t.crit) return { status: 'CRITICAL', message: what(t.crit) };
  if (t.warn !== undefined && value > t.warn) return { status: 'WARNING', message: what(t.warn) };
  return undefined;
}

/** A value below a bound. */
function below(value: number, t: Threshold, what: (bound: number) => string): CheckReason | undefined {
  if (t.crit !== undefined && value < t.crit) return { status: 'CRITICAL', message: what(t.crit) };
  if (t.warn !== undefined && value < t.warn) return { status: 'WARNING', message: what(t.warn) };
  return undefined;
}

/**
 * A failed measurement: the cluster could not be asked (UNKNOWN), or the operation itself failed (CRITICAL).
 * `status` forces the verdict (a bad flag is UNKNOWN whatever the error says).
 */
export function checkFailed(
  check: CheckResult['check'],
  store: string,
  e: unknown,
  status?: CheckReason['status'],
): CheckResult {
  const err = toGaterError(e);
  const unavailable = ['no_workers', 'timeout', 'unauthorized', 'connection_closed'].includes(err.code);
  return verdict(
    check,
    store,
    err.message,
    [{ status: status ?? (unavailable ? 'UNKNOWN' : 'CRITICAL'), message: err.message }],
    {},
  );
}

export interface ClusterThresholds {
  /** Nodes serving the store that must be linked (default: critical below 1). */
  minNodes: Threshold;
}

/** Extra facts a cluster check may weigh when the gateway knows them. */
export interface ClusterFacts {
  /** Storage groups per store: more than one for a store means it is split (DESIGN §8). */
  storageGroups?: number;
}

/**
 * `check cluster`: nodes serving the store (linked and alive) against --min-nodes; any known node of the store
 * that is not linked; a split store; bad gossip packets or refused handshakes seen while checking.
 */
export function checkCluster(
  store: string,
  status: ClusterStatus,
  t: ClusterThresholds,
  facts: ClusterFacts = {},
): CheckResult {
  const serving = status.nodes.filter((n) => n.role !== 'gateway' && n.stores.includes(store));
  const linked = serving.filter((n) => n.connected && n.state === 'alive');
  const notLinked = status.nodes.filter((n) => n.role !== 'gateway' && !(n.connected && n.state === 'alive'));
  const badPackets = Object.values(status.badPackets).reduce((a, n) => a + n, 0);
  const reasons: (CheckReason | undefined)[] = [
    below(
      linked.length,
      t.minNodes,
      (b) => `${plural(linked.length, 'node')} serving ${store} linked, expected at least ${b}`,
    ),
    notLinked.length > 0
      ? {
          status: 'WARNING',
          message: `not linked: ${notLinked.map((n) => `${n.name} (${n.state}${n.connected ? '' : ', no connection'})`).join(', ')}`,
        }
      : undefined,
    facts.storageGroups !== undefined && facts.storageGroups > 1
      ? { status: 'WARNING', message: `store ${store} is split over ${facts.storageGroups} storage groups` }
      : undefined,
    badPackets > 0
      ? {
          status: 'WARNING',
          message: `${plural(badPackets, 'bad gossip packet')} from ${Object.keys(status.badPackets).join(', ')} (wrong secret?)`,
        }
      : undefined,
    status.unauthorized.length > 0
      ? {
          status: 'WARNING',
          message: `refused handshakes (wrong cookie?): ${status.unauthorized.map((u) => `${u.node} ${u.address}`).join(', ')}`,
        }
      : undefined,
  ];
  return verdict(
    'cluster',
    store,
    `${plural(linked.length, 'node')} of ${serving.length} serving ${store} linked`,
    reasons.filter((r): r is CheckReason => r !== undefined),
    {
      nodes: linked.length,
      known: serving.length,
      notLinked: notLinked.length,
      badPackets,
      unauthorized: status.unauthorized.length,
      ...(facts.storageGroups === undefined ? {} : { storageGroups: facts.storageGroups }),
    },
  );
}

/** `check cluster`'s default: critical when no node serving the store is linked. */
export const DEFAULT_CLUSTER_THRESHOLDS: ClusterThresholds = { minNodes: { crit: 1 } };

/**
 * `check cluster` on an opened gateway: its membership and the store's storage groups. The scripted command and
 * the console's option 14 both call this, so they give the same verdict.
 */
export function checkGaterCluster(gater: Gater, t: ClusterThresholds = DEFAULT_CLUSTER_THRESHOLDS): CheckResult {
  return checkCluster(gater.store, gater.cluster.status(), t, {
    storageGroups: gater.registry.groups(gater.store).length,
  });
}

export interface StoreThresholds {
  /** Write + read-back round trip in ms (default 500,2000). */
  maxLatency: Threshold;
}

/** The stream `check store` writes its probes to (not `$`-prefixed: those are reserved). */
export const CHECK_STREAM = 'ex-esdb-check';

/**
 * `check store`: appends one probe event to a scratch stream and reads it back by the version the append
 * returned; the round trip must find the same event id within --max-latency.
 */
export async function checkStore(
  api: GaterApi,
  store: string,
  t: StoreThresholds,
  now: () => number = () => performance.now(),
): Promise<CheckResult> {
  const started = now();
  try {
    const probe = { eventType: 'check_probe:v1', data: { at: new Date().toISOString() } };
    const version = await api.appendEvents(store, CHECK_STREAM, [probe]);
    const wrote = now() - started;
    const [back] = await api.getEvents(store, CHECK_STREAM, version, 1);
    const latency = Math.round((now() - started) * 10) / 10;
    const reasons: (CheckReason | undefined)[] = [
      back === undefined || back.eventType !== probe.eventType
        ? {
            status: 'CRITICAL',
            message: `the probe written at version ${version} of ${CHECK_STREAM} did not read back`,
          }
        : undefined,
      above(latency, t.maxLatency, (b) => `write + read-back took ${latency} ms, over ${b} ms`),
    ];
    return verdict(
      'store',
      store,
      `write + read-back in ${latency} ms (version ${version} of ${CHECK_STREAM})`,
      reasons.filter((r): r is CheckReason => r !== undefined),
      { latencyMs: latency, writeMs: Math.round(wrote * 10) / 10, version },
    );
  } catch (e) {
    return checkFailed('store', store, e);
  }
}

export interface SubscriptionThresholds {
  /** Events between the checkpoint and the head (default 1000,100000). */
  maxLag: Threshold;
  /** Parked events (default 0,100: any parked event warns). */
  maxParked: Threshold;
  /** Age in ms of the oldest delivered-but-unacked event (default 60s,5m). */
  maxUnackedAge: Threshold;
}

/** `check subscription --name n`: lag, parked events and the oldest unacked event's age against thresholds. */
export async function checkSubscription(
  api: GaterApi,
  store: string,
  name: string,
  t: SubscriptionThresholds,
): Promise<CheckResult> {
  try {
    const subs = (await api.getSubscriptions(store)).filter((s) => s.name === name);
    if (subs.length === 0)
      return verdict(
        'subscription',
        store,
        `no subscription named "${name}"`,
        [{ status: 'UNKNOWN', message: `no subscription named "${name}" in ${store}; list them with: subscriptions` }],
        {},
      );
    const lag = Math.max(...subs.map((s) => s.lag));
    const parked = Math.max(...subs.map((s) => s.parked));
    const inFlight = subs.reduce((a, s) => a + s.inFlight, 0);
    const oldest = Math.max(0, ...subs.map((s) => s.oldestUnackedMs ?? 0));
    const active = subs.some((s) => s.active);
    const reasons: (CheckReason | undefined)[] = [
      above(lag, t.maxLag, (b) => `lag ${plural(lag, 'event')}, over ${b}`),
      above(parked, t.maxParked, (b) => `${plural(parked, 'parked event')}, over ${b}`),
      above(oldest, t.maxUnackedAge, (b) => `oldest unacked event waits ${Math.round(oldest)} ms, over ${b} ms`),
    ];
    return verdict(
      'subscription',
      store,
      `"${name}" ${active ? 'active' : 'not attached'}: lag ${lag}, ${parked} parked, ${inFlight} in flight`,
      reasons.filter((r): r is CheckReason => r !== undefined),
      {
        lag,
        parked,
        inFlight,
        oldestUnackedMs: Math.round(oldest),
        checkpoint: Math.min(...subs.map((s) => s.checkpoint)),
      },
    );
  } catch (e) {
    return checkFailed('subscription', store, e);
  }
}

/** The monitoring-plugin line: `CLUSTER WARNING - reason; reason | metric=value ...`. */
export function checkLine(r: CheckResult): string {
  const text = r.status === 'OK' ? r.summary : r.reasons.map((x) => x.message).join('; ');
  const perf = Object.entries(r.metrics)
    .filter((e): e is [string, number] => e[1] !== null)
    .map(([k, v]) => (k.endsWith('Ms') ? `${k.slice(0, -2)}=${v}ms` : `${k}=${v}`))
    .join(' ');
  return `${r.check.toUpperCase()} ${r.status} - ${text}${perf ? ` | ${perf}` : ''}`;
}
