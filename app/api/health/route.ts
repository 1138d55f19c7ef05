import { services } from '@/server/services';
import { json, route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

export const GET = route(async () => {
  const report = await services().health();
  return json(report, report.status === 'ok' ? 200 : 503);
});
