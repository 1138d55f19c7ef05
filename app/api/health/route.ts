import { services } from '@/server/services';
import { healthFor } from '@/server/health';
import { json, route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/** Public: ok/degraded per store for anyone, every detail for a member (server/health.ts healthFor). */
export const GET = route(async (request: Request) => {
  const report = await services().health();
  return json(await healthFor(services().db, request.headers.get('cookie'), report), report.status === 'ok' ? 200 : 503);
});
