import { z } from 'zod';
import { clientText } from '@/server/http/text';
import { json, parseQuery, route } from '@/server/http/route';
import { requestIdentity, tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

const SearchQuery = z.strictObject({ q: clientText().trim().min(1, 'type something to search for').max(200) });

/** Documents by title and atoms by name or value, in the caller's organisation only. */
export const GET = route(async (request: Request) => {
  const { q } = parseQuery(request, SearchQuery);
  const identity = await requestIdentity(request);
  // ILIKE with the pattern escaped: % and _ in the query are literal characters.
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const result = await tenantTx(identity, async (tx) => ({
    documents: (
      await tx.query(
        `SELECT id, title FROM documents WHERE tenant_id = $1 AND NOT in_trash AND title ILIKE $2 ORDER BY updated_at DESC LIMIT 20`,
        [identity.tenantId, pattern],
      )
    ).rows,
    atoms: (
      await tx.query(
        `SELECT a.id, a.atom_type AS type, a.name, a.canonical, an.document_id AS "documentId", an.block_id AS "blockId"
           FROM atoms a LEFT JOIN annotations an ON an.tenant_id = a.tenant_id AND an.knowledge_type = 'atom' AND an.knowledge_id = a.id
          WHERE a.tenant_id = $1 AND a.deleted_at IS NULL AND (a.name ILIKE $2 OR a.canonical ILIKE $2 OR a.text_value ILIKE $2)
          ORDER BY a.updated_at DESC LIMIT 20`,
        [identity.tenantId, pattern],
      )
    ).rows,
  }));
  return json(result);
});
