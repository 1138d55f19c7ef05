import { services } from '@/server/services';
import { json, route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

export const GET = route(async () => {
  const { local } = services();
  return json({
    user: { id: local.user.id, name: local.user.name, color: local.user.color },
    tenant: { id: local.tenant.id, name: local.tenant.name },
  });
});
