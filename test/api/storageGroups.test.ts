import { describe, expect, it } from 'vitest';
import { WorkerRegistry } from '../../src/core/registry/workerRegistry.js';
import type { StorageGroupEvent } from '../../src/core/registry/storageGroups.js';
import { InProcessLink } from '../../src/node/inProcessLink.js';
import { createStoreNode } from '../../src/node/storeNode.js';
import { MemoryStorage } from '../../src/node/storage/memory.js';

const nodeOn = async (name: string, storage: MemoryStorage) =>
  new InProcessLink(await createStoreNode({ name, storage }));

describe('storage groups in the registry (DESIGN §8)', () => {
  it('picks only the active group; stays on it when a bigger group appears; switches when it has no live node', async () => {
    const [s1, s2] = [new MemoryStorage(), new MemoryStorage()];
    const registry = new WorkerRegistry();
    const events: StorageGroupEvent[] = [];
    registry.onGroupEvent((e) => events.push(e));
    const a = await nodeOn('a@h', s1);
    registry.add(a);
    const b1 = await nodeOn('b1@h', s2);
    const b2 = await nodeOn('b2@h', s2);
    registry.add(b1);
    registry.add(b2);
    const groups = registry.groups('reg_gh');
    expect(groups.map((g) => [g.nodes, g.active])).toEqual([
      [['a@h'], true], // sticky: chosen first, kept although the other group has more nodes
      [['b1@h', 'b2@h'], false],
    ]);
    for (let i = 0; i < 30; i++) expect(registry.pick('reg_gh')!.link).toBe(a);
    expect(events.map((e) => e.type)).toEqual(['storage_split']);
    a.close('gone');
    expect(registry.groups('reg_gh')).toEqual([
      { kind: 'memory', id: await s2.storageId(), nodes: ['b1@h', 'b2@h'], active: true },
    ]);
    expect(events.map((e) => e.type)).toEqual(['storage_split', 'storage_switch']);
    const sw = events[1] as Extract<StorageGroupEvent, { type: 'storage_switch' }>;
    expect([sw.from.id, sw.to.id]).toEqual([await s1.storageId(), await s2.storageId()]);
    // one group left: the pick spreads over its nodes, never back to a closed link
    const picked = new Set(Array.from({ length: 40 }, () => registry.pick('reg_gh')!.link.node));
    expect([...picked].sort()).toEqual(['b1@h', 'b2@h']);
  });

  it('while holding, no group is chosen; then the choice sees every group and is the same whatever the arrival order', async () => {
    const storages = [new MemoryStorage(), new MemoryStorage(), new MemoryStorage()];
    const choose = async (order: number[]) => {
      const registry = new WorkerRegistry();
      let release!: () => void;
      registry.holdChoice(new Promise<void>((r) => (release = r)));
      for (const i of order) {
        registry.add(await nodeOn(`n${i}@h`, storages[i]!));
        expect(registry.pick('reg_gh')).toBeUndefined();
      }
      release();
      await new Promise((r) => setTimeout(r, 0));
      return registry.pick('reg_gh')!.link.node;
    };
    const first = await choose([0, 1, 2]);
    expect(await choose([2, 1, 0])).toBe(first);
    expect(await choose([1, 2, 0])).toBe(first);
  });
});
