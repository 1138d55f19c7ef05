import { z } from 'zod';
import { KnowledgeRepository } from '@/server/db/repos/knowledge';
import { presentAtom } from '@/server/presenters/knowledge';
import { json, parseParam, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity, tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

const atomNotFound = () => NotFoundError('This atom does not exist.');

/** An atom with every earlier version (previous_version chain) and its knowledge_events. */
export const GET = route(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = parseParam((await context.params).id, z.uuid(), atomNotFound);
  const identity = await requestIdentity(request);
  const { chain, events } = await tenantTx(identity, async (tx) => {
    const chain = await KnowledgeRepository.atomHistory(tx, identity.tenantId, id);
    if (chain.length === 0) throw atomNotFound();
    return { chain, events: await KnowledgeRepository.events(tx, identity.tenantId, chain.map((atom) => atom.id)) };
  });
  return json({
    atom: { ...presentAtom(chain[0]), deleted: chain[0].deletedAt !== null },
    versions: chain.map(presentAtom),
    events: events.map((e) => ({ id: e.id, type: e.type, atomId: e.atomId, data: e.data, occurredAt: new Date(e.occurredAt).toISOString() })),
  });
});
