import { useEffect, useState } from 'react';
import type { ClusterMonitor, ClusterStatus } from '../../core/index.js';

/**
 * Cluster membership for the banner and the status screen: refreshed on every cluster event and once a second
 * (heartbeat ages grow without events). Unsubscribes on unmount.
 */
export function useClusterMembers(cluster: ClusterMonitor, pollMs = 1000): ClusterStatus {
  const [status, setStatus] = useState<ClusterStatus>(() => cluster.status());
  useEffect(() => {
    const refresh = () => setStatus(cluster.status());
    const off = cluster.on(refresh);
    const t = setInterval(refresh, pollMs);
    return () => {
      off();
      clearInterval(t);
    };
  }, [cluster, pollMs]);
  return status;
}
