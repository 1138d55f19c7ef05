import { z } from 'zod';
import { atomStateAt } from '@/server/db/repos/atomState';
import { json, parseParam, parseQuery, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity, tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

const StateQuery = z.strictObject({ at: z.iso.datetime({ offset: true, message: 'at must be an ISO 8601 time, e.g. 2026-11-23T10:00:00Z' }) });
const atomNotFound = () => NotFoundError('This atom does not exist.');

/** The atom as it was at `at`, rebuilt from its knowledge events. */
export const GET = route(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = parseParam((await context.params).id, z.uuid(), atomNotFound);
  const { at } = parseQuery(request, StateQuery);
  const identity = await requestIdentity(request);
  const result = await tenantTx(identity, (tx) => atomStateAt(tx, identity.tenantId, id, new Date(at)));
  if (!result) throw atomNotFound();
  return json(result);
});
