import { services } from '@/server/services';
import { json, route } from '@/server/http/route';
import { requestIdentity } from '@/server/http/identity';
import type { GraphSyncStatusDto } from '@/lib/graph/dto';

export const dynamic = 'force-dynamic';

/** How far the graph is behind PostgreSQL for the caller's tenant (panels say "the graph is behind"). */
export const GET = route(async (request: Request) => {
  const { tenantId } = await requestIdentity(request);
  const status = await services().graphSync.status(tenantId);
  const body: GraphSyncStatusDto = {
    pending: status.pending,
    oldestPendingMs: status.oldestPendingMs,
    retrying: status.retrying,
    // The error text names hosts and ports: a reader needs to know the graph is unreachable, not where.
    unreachable: status.retrying && status.lastError !== null,
  };
  return json(body);
});
