import { GaterError } from '../errors.js';
import type { OpArgs, OpResult } from '../wire/ops.js';
import type { ParkedEvent } from '../types.js';
import { validateNonNegativeInt, validateStore, validateSubscriptionName } from '../validation.js';
import type { Router } from './router.js';

/**
 * Operator control of persistent subscriptions: parked events (list, replay, skip), reset and delete. Reads and
 * storage-only changes go to any node of the store (they share its storage); whatever touches a running
 * subscriber goes to every node hosting the store, since the subscriber may be attached to any one of them.
 */
export class SubscriptionControl {
  constructor(private readonly router: Router) {}

  /** Parked events of the subscription named `name`, with retries, reason and when they were parked. */
  async listParked(store: string, name: string): Promise<ParkedEvent[]> {
    validateStore(store);
    return this.router.call(store, 'listParked', { name: validateSubscriptionName(name) });
  }

  /**
   * Delivers parked events again (all, or those at the given global positions) to the subscriber attached now;
   * `not_found` when no subscriber of `name` is attached (start one with `subscribe --name`, then replay).
   */
  async replayParked(store: string, name: string, positions?: number[]): Promise<{ replayed: number }> {
    const args = { name: validateSubscriptionName(name), positions: positionsOf(positions) };
    const answers = await this.everyNode(store, 'replayParked', args);
    if (!answers.some((a) => a.running))
      throw new GaterError(
        'not_found',
        `no subscriber of "${args.name}" is attached, so nothing could take the replay; start one (subscribe --name ${args.name}) and replay again`,
        { name: args.name },
      );
    return { replayed: answers.reduce((n, a) => n + a.replayed, 0) };
  }

  /** Drops parked events (all, or those at the given global positions) for good. */
  async skipParked(store: string, name: string, positions?: number[]): Promise<{ skipped: number }> {
    validateStore(store);
    return this.router.call(store, 'skipParked', {
      name: validateSubscriptionName(name),
      positions: positionsOf(positions),
    });
  }

  /** Moves the checkpoint to `to` (backwards re-delivers, forwards skips); an attached subscriber restarts there. */
  async resetSubscription(store: string, name: string, to: number): Promise<{ reset: number }> {
    const args = { name: validateSubscriptionName(name), to: validateNonNegativeInt(to, 'to') };
    const answers = await this.everyNode(store, 'resetSubscription', args);
    return { reset: Math.max(0, ...answers.map((a) => a.reset)) };
  }

  /** Stops the subscription named `name` everywhere and deletes it with its parked events. */
  async deleteSubscription(store: string, name: string): Promise<{ deleted: number }> {
    const args = { name: validateSubscriptionName(name) };
    const answers = await this.everyNode(store, 'deleteSubscription', args);
    return { deleted: Math.max(0, ...answers.map((a) => a.deleted)) };
  }

  /**
   * Sends one request to every linked node hosting `store`. `not_found` from some nodes is normal (the record is
   * deleted by the first); it is an error only when every node says so. Other errors are thrown.
   */
  private async everyNode<K extends 'replayParked' | 'resetSubscription' | 'deleteSubscription'>(
    store: string,
    op: K,
    args: OpArgs<K>,
  ): Promise<OpResult<K>[]> {
    validateStore(store);
    const links = this.router.registry.links().filter((l) => !l.closed && l.announcement().stores.includes(store));
    if (links.length === 0) return [await this.router.call(store, op, args)];
    const settled = await Promise.allSettled(
      links.map((l) => l.request(op, { store, worker: '', ...args }, this.router.timeoutMs)),
    );
    const ok = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    const real = failures.find((e) => !(e instanceof GaterError && e.code === 'not_found'));
    if (real !== undefined) throw real;
    if (ok.length === 0) throw failures[0];
    return ok;
  }
}

function positionsOf(positions: number[] | undefined): number[] | undefined {
  if (positions === undefined) return undefined;
  return positions.map((p, i) => validateNonNegativeInt(p, `positions[${i}]`));
}
