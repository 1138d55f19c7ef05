import { z } from 'zod';
import { clientText } from '@/server/http/text';
import { DomainRepository } from '@/server/db/repos/domains';
import { json, parseBody, route } from '@/server/http/route';
import { HttpError } from '@/server/http/errors';
import { requestIdentity, requirePersona, tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

const CreateDomainBody = z.strictObject({
  name: clientText().trim().min(1, 'name the domain').max(255),
  description: clientText().trim().max(2000).optional(),
});

export const GET = route(async (request: Request) => {
  const identity = await requestIdentity(request);
  const domains = await tenantTx(identity, (tx) => DomainRepository.list(tx, identity.tenantId));
  return json({ domains });
});

export const POST = route(async (request: Request) => {
  const body = await parseBody(request, CreateDomainBody);
  const identity = await requestIdentity(request);
  requirePersona(identity, 'domain_expert');
  const domain = await tenantTx(identity, (tx) => DomainRepository.create(tx, identity.tenantId, { ...body, ownerId: identity.userId }));
  if (!domain) throw new HttpError(409, 'conflict', 'A domain with this name already exists.');
  return json({ domain }, 201);
});
