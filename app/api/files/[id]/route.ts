import { z } from 'zod';
import { services } from '@/server/services';
import { downloadHeaders, findFile, readStoredFile } from '@/server/files';
import { parseParam, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity, tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

const fileNotFound = () => NotFoundError('This file does not exist.');

export const GET = route(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = parseParam((await context.params).id, z.uuid(), fileNotFound);
  const identity = await requestIdentity(request);
  const file = await tenantTx(identity, (tx) => findFile(tx, identity.tenantId, id));
  if (!file) throw fileNotFound();
  const bytes = await readStoredFile(services().config.DATA_DIR, file).catch(() => null);
  if (!bytes) throw fileNotFound();
  return new Response(new Uint8Array(bytes), { headers: downloadHeaders(file) });
});
