import { useServices } from '../contexts/ConsoleContext.js';
import { memoryStatus, sampleMemory, type MemoryStatus } from '../vitals.js';
import { usePolling } from './usePolling.js';

/** The process's memory (and, when the store lives in this process, its event count), once a second. */
export function useMemoryStatus(everyMs = 1000): MemoryStatus | undefined {
  const services = useServices();
  const polled = usePolling(async () => {
    const storeEvents = services.eventsInProcess
      ? (await services.gater.api.getHeadPosition(services.store)) + 1
      : undefined;
    return memoryStatus(sampleMemory(), storeEvents);
  }, everyMs);
  return polled.state === 'ready' ? polled.value : undefined;
}
