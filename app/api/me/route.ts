import { services } from '@/server/services';
import { memberships } from '@/server/auth/accounts';
import { json, route } from '@/server/http/route';
import { requestSession } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

/** The signed-in account, the organisation it works in (with its persona), and all its organisations. */
export const GET = route(async (request: Request) => {
  const session = await requestSession(request);
  const m = session.membership;
  const all = await memberships(services().db, session.account.id);
  return json({
    account: session.account,
    user: m ? { id: m.userId, name: session.account.name, color: m.color, persona: m.persona, isAdmin: m.isAdmin } : null,
    tenant: m ? { id: m.tenantId, name: m.tenantName } : null,
    organisations: all.map((o) => ({ id: o.tenantId, name: o.tenantName, persona: o.persona, isAdmin: o.isAdmin })),
  });
});
