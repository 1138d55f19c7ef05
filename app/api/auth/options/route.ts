import { services } from '@/server/services';
import { localLoginEnabled } from '@/server/config';
import { json, route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/** What the sign-in page offers. */
export const GET = route(async () => json({ localLogin: localLoginEnabled(services().config) }));
