import { z } from 'zod';
import { listAudit } from '@/server/auth/audit';
import { json, parseQuery, route } from '@/server/http/route';
import { requestIdentity, requireAdmin, tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

const AuditQuery = z.strictObject({
  userId: z.uuid().optional(),
  resourceType: z.enum(['document', 'domain', 'atom', 'annotation', 'membership', 'invite', 'file']).optional(),
  action: z.enum(['INSERT', 'UPDATE', 'DELETE', 'EDIT']).optional(),
  resourceId: z.uuid().optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  before: z
    .string()
    .regex(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?\|[0-9a-f-]{36}$/, 'before must be an entry\'s cursor')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Who changed what and when, newest first, filterable; admins only. */
export const GET = route(async (request: Request) => {
  const query = parseQuery(request, AuditQuery);
  const identity = await requestIdentity(request);
  requireAdmin(identity);
  const entries = await tenantTx(identity, (tx) =>
    listAudit(tx, identity.tenantId, {
      ...query,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
    }),
  );
  return json({ entries: entries.map((e) => ({ ...e, createdAt: new Date(e.createdAt).toISOString() })) });
});
