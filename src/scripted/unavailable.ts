/**
 * Error codes meaning "the cluster could not be reached" (DESIGN §7: exit 3), as opposed to an operation the
 * store refused. Scripts branch on this difference, and the scenario runner stops at once on one of these.
 */
export const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'no_workers',
  'timeout',
  'unauthorized',
  'connection_closed',
]);
