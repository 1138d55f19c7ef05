import type { Sql } from '../client';
import { recordChange } from './graphOutbox';
import type { BlockContent, BlockType, ProjectedBlock } from '../../../lib/blocks/types';

export interface BlockRow {
  id: string;
  documentId: string;
  parentId: string | null;
  position: number;
  blockType: BlockType;
  content: BlockContent;
  updatedAt: Date;
}

export const BlockRepository = {
  async listByDocument(db: Sql, tenantId: string, documentId: string): Promise<BlockRow[]> {
    const { rows } = await db.query<BlockRow>(
      `SELECT id, document_id AS "documentId", parent_id AS "parentId", position, block_type AS "blockType",
              content, updated_at AS "updatedAt"
         FROM blocks WHERE tenant_id = $1 AND document_id = $2
        ORDER BY parent_id NULLS FIRST, position`,
      [tenantId, documentId],
    );
    return rows;
  },

  /** Ids of blocks that belong to another document (a pasted id must not steal their row). */
  async foreignIds(db: Sql, documentId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM blocks WHERE id = ANY($1::uuid[]) AND document_id <> $2',
      [ids, documentId],
    );
    return new Set(rows.map((row) => row.id));
  },

  /** Writes changed rows and deletes removed ones; one statement each, parents before children. Call it in a transaction: it also fills the graph outbox. */
  async apply(
    db: Sql,
    tenantId: string,
    documentId: string,
    upserts: ProjectedBlock[],
    deletes: string[],
    editedBy: string | null,
  ): Promise<void> {
    if (upserts.length > 0) {
      await db.query(
        `INSERT INTO blocks (id, tenant_id, document_id, parent_id, parent_type, position, block_type, content,
                             has_children, created_by, last_edited_by)
         SELECT b.id, $1, $2, b.parent_id, CASE WHEN b.parent_id IS NULL THEN 'document' ELSE 'block' END,
                b.position, b.block_type, b.content, b.has_children, $4, $4
           FROM jsonb_to_recordset($3::jsonb)
                AS b(id uuid, parent_id uuid, position int, block_type text, content jsonb, has_children boolean)
         ON CONFLICT (id) DO UPDATE SET
           parent_id = EXCLUDED.parent_id, parent_type = EXCLUDED.parent_type, position = EXCLUDED.position,
           block_type = EXCLUDED.block_type, content = EXCLUDED.content, has_children = EXCLUDED.has_children,
           last_edited_by = EXCLUDED.last_edited_by, updated_at = NOW()
         WHERE blocks.document_id = EXCLUDED.document_id`,
        [tenantId, documentId, JSON.stringify(upserts.map(toRecord(upserts))), editedBy],
      );
    }
    if (deletes.length > 0) {
      await db.query('DELETE FROM blocks WHERE tenant_id = $1 AND document_id = $2 AND id = ANY($3::uuid[])', [
        tenantId,
        documentId,
        deletes,
      ]);
    }
    await recordChange(db, tenantId, 'block', [...upserts.map((block) => block.id), ...deletes]);
  },
};

function toRecord(all: ProjectedBlock[]) {
  const parents = new Set(all.map((block) => block.parentId));
  return (block: ProjectedBlock) => ({
    id: block.id,
    parent_id: block.parentId,
    position: block.position,
    block_type: block.blockType,
    content: block.content,
    has_children: parents.has(block.id),
  });
}
