/**
 * How far a document's knowledge has come, in one read (bench/bigdoc.ts): its blocks, how many
 * of them have their extraction stored, its extraction state, and the graph outbox rows of the
 * tenant up to a given id (the rows that existed when the knowledge was stored: the graph is
 * synced for the document once none of them is left, whatever a typist elsewhere adds later).
 * Run by the bench child on PGlite (only that process can open it) and by the parent on PostgreSQL.
 */
import { z } from 'zod';

export const PROGRESS_SQL = `
  SELECT (SELECT count(*) FROM blocks WHERE tenant_id = $1 AND document_id = $2)::int AS blocks,
         (SELECT count(*) FROM blocks b JOIN block_extractions e ON e.block_id = b.id
           WHERE b.tenant_id = $1 AND b.document_id = $2)::int AS extracted,
         (SELECT state FROM extraction_status WHERE document_id = $2) AS state,
         (SELECT count(*) FROM graph_outbox WHERE tenant_id = $1 AND id <= coalesce($3::bigint, 9223372036854775807))::int AS outbox,
         (SELECT coalesce(max(id), 0) FROM graph_outbox WHERE tenant_id = $1)::text AS "outboxMaxId",
         (SELECT count(*) FROM annotations WHERE tenant_id = $1 AND document_id = $2)::int AS annotations`;

export const Progress = z.object({
  blocks: z.number(),
  extracted: z.number(),
  state: z.string().nullable(),
  /** Outbox rows of the tenant with id <= the asked bound (all of them without one). */
  outbox: z.number(),
  outboxMaxId: z.coerce.number(),
  annotations: z.number(),
});
export type Progress = z.infer<typeof Progress>;

interface Queryable {
  query(sql: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

export async function readProgress(db: Queryable, tenantId: string, documentId: string, outboxUpTo: number | null): Promise<Progress> {
  const { rows } = await db.query(PROGRESS_SQL, [tenantId, documentId, outboxUpTo]);
  return Progress.parse(rows[0]);
}

/** Every block of the document has its extraction stored and no job is pending for it. */
export function knowledgeStored(progress: Progress, paragraphs: number): boolean {
  return progress.blocks >= paragraphs && progress.extracted === progress.blocks && progress.state === 'idle';
}
