/**
 * One projection run's write as ONE statement: upsert the changed `blocks` rows, delete the
 * removed ones, set `documents.title` when it changed, touch `documents.updated_at`, and note the
 * blocks whose graph node changed (and the document, when its title changed) in the graph
 * outbox. A statement is atomic on its own, so this is the transaction BlockRepository.apply +
 * DocumentRepository.setTitle and touch would make, in one round trip instead of seven: those
 * round trips were most of the relay's database work while people type. Keep the columns in step
 * with BlockRepository.apply.
 */
import type { Sql } from '../db/client';
import type { ProjectedBlock } from '../../lib/blocks/types';

export interface BlockWrite {
  tenantId: string;
  documentId: string;
  upserts: ProjectedBlock[];
  deletes: string[];
  /** The new title, or undefined to leave it. */
  title: string | null | undefined;
}

/**
 * `documents.updated_at` (the list's "edited … ago") moves at most this often while someone types,
 * unless the title changed. Touched on every run, the documents row got a new version, new index
 * entries (updated_at is indexed, so no HOT update) and an audit-trigger call twice a second per
 * document being typed in.
 */
const TOUCH_EVERY_S = 5;

export async function writeBlocks(db: Sql, write: BlockWrite): Promise<void> {
  const rows = write.upserts.map((block) => ({
    id: block.id,
    parent_id: block.parentId,
    position: block.position,
    block_type: block.blockType,
    content: block.content,
    has_children: block.hasChildren,
  }));
  // Parameters: $1 tenant, $2 document, $3 rows, $4 deleted ids, $5 title changed?, $6 title.
  // The graph's Block node holds the block's type, place and parent, not its text: a block whose
  // text alone changed goes to the graph outbox no more (typing in 100 paragraphs queued 100
  // graph updates every half second for nodes that stayed the same). `before` reads the rows as
  // they were: every part of one statement sees the same snapshot.
  await db.query(
    `WITH incoming AS (
       SELECT * FROM jsonb_to_recordset($3::jsonb)
              AS b(id uuid, parent_id uuid, position int, block_type text, content jsonb, has_children boolean)
     ), before AS (
       SELECT id, parent_id, position, block_type FROM blocks
        WHERE tenant_id = $1 AND document_id = $2 AND id IN (SELECT id FROM incoming)
     ), upserted AS (
       INSERT INTO blocks (id, tenant_id, document_id, parent_id, parent_type, position, block_type, content, has_children)
       SELECT b.id, $1::uuid, $2::uuid, b.parent_id, CASE WHEN b.parent_id IS NULL THEN 'document' ELSE 'block' END,
              b.position, b.block_type, b.content, b.has_children
         FROM incoming b
       ON CONFLICT (id) DO UPDATE SET
         parent_id = EXCLUDED.parent_id, parent_type = EXCLUDED.parent_type, position = EXCLUDED.position,
         block_type = EXCLUDED.block_type, content = EXCLUDED.content, has_children = EXCLUDED.has_children,
         last_edited_by = NULL, updated_at = NOW()
       WHERE blocks.document_id = EXCLUDED.document_id
     ), deleted AS (
       DELETE FROM blocks WHERE tenant_id = $1 AND document_id = $2 AND id = ANY($4::uuid[])
     ), previous AS (
       SELECT title FROM documents WHERE tenant_id = $1 AND id = $2
     ), touched AS (
       UPDATE documents SET title = CASE WHEN $5::boolean THEN $6::text ELSE title END, updated_at = NOW()
        WHERE tenant_id = $1 AND id = $2 AND ($5 OR updated_at < NOW() - make_interval(secs => ${TOUCH_EVERY_S}))
     )
     INSERT INTO graph_outbox (tenant_id, entity_type, entity_id)
     SELECT $1, 'block', i.id FROM incoming i LEFT JOIN before b ON b.id = i.id
      WHERE b.id IS NULL OR (b.parent_id, b.position, b.block_type) IS DISTINCT FROM (i.parent_id, i.position, i.block_type)
     UNION
     SELECT $1, 'block', id FROM unnest($4::uuid[]) AS id
     UNION ALL
     SELECT $1, 'document', $2 FROM previous WHERE $5 AND previous.title IS DISTINCT FROM $6`,
    [write.tenantId, write.documentId, JSON.stringify(rows), write.deletes, write.title !== undefined, write.title ?? null],
  );
}
