import { z } from 'zod';
import { services } from '@/server/services';
import { json, parseBody, parseParam, route } from '@/server/http/route';
import { BadRequestError, NotFoundError } from '@/server/http/errors';
import { requestIdentity, requireAdmin, tenantTx } from '@/server/http/identity';
import { UpdateMemberBody } from '../../organisations/schema';

export const dynamic = 'force-dynamic';

const memberNotFound = () => NotFoundError('This member does not exist.');

/** An admin changes a member's persona or admin flag (recorded in the audit log). */
export const PATCH = route(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = parseParam((await context.params).id, z.uuid(), memberNotFound);
  const body = await parseBody(request, UpdateMemberBody);
  const identity = await requestIdentity(request);
  requireAdmin(identity);
  if (id === identity.userId && body.isAdmin === false) throw BadRequestError('You cannot remove your own admin rights.');
  const member = await tenantTx(identity, async (tx) => {
    const { rows } = await tx.query(
      `UPDATE users SET persona = COALESCE($3, persona), is_admin = COALESCE($4, is_admin)
       WHERE tenant_id = $1 AND id = $2 AND account_id IS NOT NULL
       RETURNING id, name, email, color, persona, is_admin AS "isAdmin"`,
      [identity.tenantId, id, body.persona ?? null, body.isAdmin ?? null],
    );
    return rows[0];
  });
  if (!member) throw memberNotFound();
  // The member's open websockets pick up the new persona before their next message.
  await services().bus.publish({ type: 'access.changed', userId: id });
  return json({ member });
});
