import { z } from 'zod';
import { listAudit } from '@/server/auth/audit';
import { json, parseQuery, route } from '@/server/http/route';
import { requestIdentity, requireAdmin, tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

/** The cursor's time is one PostgreSQL accepts: a real day of a real month, a time of day, an offset within ±15:59. */
function isCursorTime(cursor: string): boolean {
  const match = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)?[+-](\d\d)(?::(\d\d))?\|/.exec(cursor);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    && hour < 24 && minute < 60 && second < 60 && offsetHours < 16 && offsetMinutes < 60;
}

const AuditQuery = z.strictObject({
  userId: z.uuid().optional(),
  resourceType: z.enum(['document', 'domain', 'atom', 'annotation', 'membership', 'invite', 'file']).optional(),
  action: z.enum(['INSERT', 'UPDATE', 'DELETE', 'EDIT']).optional(),
  resourceId: z.uuid().optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  before: z
    .string()
    .regex(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?\|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'before must be an entry\'s cursor')
    .refine(isCursorTime, 'before must be an entry\'s cursor')
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
