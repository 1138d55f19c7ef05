'use client';

import { useGraphStatus } from './useGraph';

/** Two seconds of lag is normal sync work; past that, or when the graph store is down, say so. */
const NOTICEABLE_MS = 2_000;

/** "The graph is behind": shown while the graph store lags PostgreSQL; it catches up by itself. */
export function GraphBehind() {
  const { data } = useGraphStatus();
  if (!data || data.pending === 0) return null;
  if (!data.retrying && (data.oldestPendingMs ?? 0) < NOTICEABLE_MS) return null;
  const changes = `${data.pending} change${data.pending === 1 ? '' : 's'}`;
  return (
    <p className="notice graph-behind" role="status" data-testid="graph-behind">
      {data.unreachable
        ? `The graph is behind by ${changes}: the graph database cannot be reached. Editing goes on; the graph catches up by itself when it is back.`
        : `The graph is catching up (${changes} to apply).`}
    </p>
  );
}
