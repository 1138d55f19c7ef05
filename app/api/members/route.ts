import { json, route } from '@/server/http/route';
import { requestIdentity, tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

/** The organisation's members with their personas (every member may see who else is in it). */
export const GET = route(async (request: Request) => {
  const identity = await requestIdentity(request);
  const members = await tenantTx(identity, async (tx) =>
    (
      await tx.query(
        `SELECT id, name, email, color, persona, is_admin AS "isAdmin" FROM users WHERE tenant_id = $1 AND account_id IS NOT NULL ORDER BY name`,
        [identity.tenantId],
      )
    ).rows,
  );
  return json({ members });
});
