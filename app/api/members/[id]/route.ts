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
  // The member's open websockets pick up the new persona before their next message; their event streams close (and reconnect).
  await services().bus.publish({ type: 'access.changed', userId: id });
  return json({ member });
});

/**
 * An admin removes a member from the organisation. The membership row stays (documents, audit
 * entries and annotations still name its author) but no longer belongs to an account; the
 * person's sessions in this organisation move to another of theirs (or to none), and their open
 * websockets and event streams here close at once. Recorded in the audit log like any change.
 */
export const DELETE = route(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = parseParam((await context.params).id, z.uuid(), memberNotFound);
  const identity = await requestIdentity(request);
  requireAdmin(identity);
  if (id === identity.userId) throw BadRequestError('You cannot remove yourself. Ask another admin to do it.');
  const removed = await tenantTx(identity, async (tx) => {
    const { rows } = await tx.query<{ id: string; name: string; accountId: string }>(
      `SELECT id, name, account_id AS "accountId" FROM users WHERE tenant_id = $1 AND id = $2 AND account_id IS NOT NULL FOR UPDATE`,
      [identity.tenantId, id],
    );
    const member = rows[0];
    if (!member) return null;
    await tx.query(`UPDATE users SET account_id = NULL, is_admin = FALSE WHERE tenant_id = $1 AND id = $2`, [identity.tenantId, id]);
    return member;
  });
  if (!removed) throw memberNotFound();
  const { db, bus } = services();
  await db.query(
    `UPDATE sessions SET tenant_id = (SELECT tenant_id FROM users WHERE account_id = $1 ORDER BY created_at LIMIT 1)
     WHERE account_id = $1 AND tenant_id = $2`,
    [removed.accountId, identity.tenantId],
  );
  await bus.publish({ type: 'access.changed', userId: id });
  return json({ removed: { id: removed.id, name: removed.name } });
});
