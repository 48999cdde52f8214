import { afterEach, describe, expect, it } from 'vitest';
import { InProcessLink } from '../../src/node/inProcessLink.js';
import { MemoryStorage } from '../../src/node/storage/memory.js';
import { createStoreNode, type StoreNode } from '../../src/node/storeNode.js';
import { renderConsole, type ConsoleHarness } from '../helpers/renderWithProviders.js';

describe('the header tells the truth at a glance', () => {
  let c: ConsoleHarness | undefined;
  let other: StoreNode | undefined;
  afterEach(async () => {
    await c?.cleanup();
    await other?.stop();
  });

  it('warns when the store is split over separate storages, and stops warning when it no longer is', async () => {
    c = await renderConsole();
    await c.waitFor('Nodes: 1/1 linked');
    expect(c.frame()).not.toContain('split over');
    // A second node hosting the same store on its own memory: another consistency group (DESIGN §8).
    other = await createStoreNode({ name: 'other@host', stores: ['reg_gh'], storage: new MemoryStorage() });
    const link = new InProcessLink(other);
    c.gater.registry.add(link);
    const f = await c.waitFor('split over 2 storages', 4000);
    expect(f).toContain(
      '⚠️  store reg_gh is split over 2 storages (memory, memory): reads would differ; see option 14',
    );
    link.close('gone');
    await c.waitFor((frame) => !frame.includes('split over'), 4000);
  });
});
