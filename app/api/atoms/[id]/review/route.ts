import { z } from 'zod';
import { reviewAtom } from '@/server/db/repos/atomState';
import { json, parseBody, parseParam, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity, requirePersona, tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

const ReviewBody = z.strictObject({ decision: z.enum(['confirmed', 'rejected']) });
const atomNotFound = () => NotFoundError('This atom does not exist.');

/** A domain expert confirms or rejects an extracted atom. */
export const POST = route(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = parseParam((await context.params).id, z.uuid(), atomNotFound);
  const { decision } = await parseBody(request, ReviewBody);
  const identity = await requestIdentity(request);
  requirePersona(identity, 'domain_expert');
  const ok = await tenantTx(identity, (tx) => reviewAtom(tx, identity.tenantId, id, decision, identity.userId));
  if (!ok) throw atomNotFound();
  return json({ id, reviewStatus: decision });
});
