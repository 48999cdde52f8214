import { MemoryStorage } from '../../src/node/storage/memory.js';
import { describeStorageAdapterContract } from './storageAdapter.contract.js';

describeStorageAdapterContract('memory', async () => new MemoryStorage());
