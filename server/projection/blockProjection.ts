/**
 * BlockProjection: keeps the `blocks` rows of a live document equal to its Yjs state.
 *
 * schedule() is called on every update; the projection runs after `debounceMs` of quiet, or at
 * the latest `maxWaitMs` after the first pending update, so a steady typist still sees rows
 * within a second. Each run: assign ids to blocks that lack one (or reuse one), make the text
 * storable (no NUL, no lone surrogate), diff against the rows last written, write only the
 * difference plus the title in one statement (blockWrite.ts), then publish `blocks.changed`.
 * Runs never overlap; an update during a run triggers another.
 */
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import type { Database, Sql } from '../db/client';
import type { Bus } from '../bus';
import { BlockRepository } from '../db/repos/blocks';
import { DocumentRepository } from '../db/repos/documents';
import { writeBlocks } from './blockWrite';
import { diffBlocks, fingerprint, projectBlocks } from '../../lib/blocks/project';
import { BLOCK_ID_ATTR, YDOC_FIELD, plainText, type ProjectedBlock } from '../../lib/blocks/types';
import { storableJson } from '../../lib/util/storableText';
import type { Logger } from '../log';

/** Transaction origin of the server's own id repairs. */
export const PROJECTION_ORIGIN = Symbol('block-projection');

export interface ProjectionTarget {
  tenantId: string;
  documentId: string;
  doc: Y.Doc;
}

export interface ProjectionOptions {
  debounceMs?: number;
  maxWaitMs?: number;
  /** Runs each run's write (blockWrite.ts); default the projection's database. */
  writer?: Sql;
}

export class BlockProjection {
  private written: Map<string, string> | null = null;
  private title: string | null | undefined;
  private timer: NodeJS.Timeout | null = null;
  private firstPendingAt = 0;
  private lastPendingAt = 0;
  private running: Promise<void> | null = null;
  private dirty = false;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly writer: Sql;

  constructor(
    private readonly db: Database,
    private readonly bus: Bus,
    private readonly target: ProjectionTarget,
    private readonly log: Logger,
    options: ProjectionOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 150;
    this.maxWaitMs = options.maxWaitMs ?? 500;
    this.writer = options.writer ?? db;
  }

  /** Called on every update: one timer per run, re-armed when it fires early, not per update. */
  schedule(): void {
    const now = Date.now();
    this.lastPendingAt = now;
    if (this.timer) return;
    this.firstPendingAt = now;
    this.timer = setTimeout(() => this.onTimer(), Math.min(this.debounceMs, this.maxWaitMs));
  }

  private onTimer(): void {
    const due = Math.min(this.lastPendingAt + this.debounceMs, this.firstPendingAt + this.maxWaitMs);
    const wait = due - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => this.onTimer(), wait);
      return;
    }
    this.timer = null;
    void this.run();
  }

  /** Runs now (cancelling the timer) and resolves when the rows match the doc. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.run();
  }

  private run(): Promise<void> {
    if (this.running) {
      this.dirty = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.dirty = false;
        try {
          await this.project();
        } catch (error) {
          this.log.error({ err: error, documentId: this.target.documentId }, 'blocks projection failed; will retry');
          this.written = null; // reload from the database next time
          if (!this.timer) this.schedule();
          break;
        }
      } while (this.dirty);
      this.running = null;
    })();
    return this.running;
  }

  private async project(): Promise<void> {
    const { target } = this;
    const written = this.written ?? (await this.loadWritten());
    // Before the diff, so the rows read back from the database fingerprint the same as these.
    const blocks = (await this.projectWithIds(written)).map(storableBlock);
    const { upserts, deletes, next } = diffBlocks(written, blocks);
    const title = deriveTitle(blocks);
    if (upserts.length === 0 && deletes.length === 0 && title === this.title) return;
    await writeBlocks(this.writer, {
      tenantId: target.tenantId,
      documentId: target.documentId,
      upserts,
      deletes,
      title: title !== this.title ? title : undefined,
    });
    this.written = next;
    this.title = title;
    await this.bus
      .publish({
        type: 'blocks.changed',
        tenantId: target.tenantId,
        documentId: target.documentId,
        changed: upserts.map((block) => block.id),
        deleted: deletes,
      })
      .catch((error: unknown) => this.log.warn({ err: error }, 'could not publish blocks.changed'));
  }

  /** Projects, first giving a fresh id to every block without a usable one. */
  private async projectWithIds(written: Map<string, string>): Promise<ProjectedBlock[]> {
    const fragment = this.target.doc.getXmlFragment(YDOC_FIELD);
    for (let attempt = 0; attempt < 3; attempt++) {
      const { blocks, needsId } = projectBlocks(fragment);
      const unknown = blocks.filter((block) => !written.has(block.id)).map((block) => block.id);
      const foreign = await BlockRepository.foreignIds(this.db, this.target.documentId, unknown);
      const repair = [...needsId, ...findElements(fragment, foreign)];
      if (repair.length === 0) return blocks;
      this.target.doc.transact(() => {
        for (const el of repair) el.setAttribute(BLOCK_ID_ATTR, randomUUID());
      }, PROJECTION_ORIGIN);
    }
    return projectBlocks(fragment).blocks;
  }

  private async loadWritten(): Promise<Map<string, string>> {
    const rows = await BlockRepository.listByDocument(this.db, this.target.tenantId, this.target.documentId);
    const document = await DocumentRepository.find(this.db, this.target.tenantId, this.target.documentId);
    this.title = document?.title ?? null;
    const parents = new Set(rows.map((row) => row.parentId));
    const written = new Map(
      rows.map((row) => [row.id, fingerprint({ ...row, hasChildren: parents.has(row.id) })] as const),
    );
    this.written = written;
    return written;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

function findElements(fragment: Y.XmlFragment, ids: Set<string>): Y.XmlElement[] {
  if (ids.size === 0) return [];
  const found: Y.XmlElement[] = [];
  for (const node of fragment.createTreeWalker((n) => n instanceof Y.XmlElement)) {
    if (node instanceof Y.XmlElement && ids.has(String(node.getAttribute(BLOCK_ID_ATTR)))) found.push(node);
  }
  return found;
}

/**
 * The block as PostgreSQL can store it: one NUL or lone surrogate anywhere in its content (text,
 * marks, attributes) made every later write of the document fail, so nothing after it reached
 * `blocks`. Ids and types are the projection's own (UUIDs, the block vocabulary).
 */
function storableBlock(block: ProjectedBlock): ProjectedBlock {
  const content = storableJson(block.content);
  return content === block.content ? block : { ...block, content };
}

const TITLE_TYPES = new Set(['heading_1', 'heading_2', 'heading_3', 'paragraph']);

/** The document's title: the text of its first heading or paragraph that has any. */
export function deriveTitle(blocks: ProjectedBlock[]): string | null {
  for (const block of blocks) {
    if (block.parentId !== null || !TITLE_TYPES.has(block.blockType)) continue;
    const text = plainText(block.content).replace(/\s+/g, ' ').trim();
    if (text) return text.slice(0, 500);
  }
  return null;
}

/**
 * Documents whose update log has rows newer than their newest `blocks` row: a process died
 * between committing an edit and projecting it. The start-up sweep re-projects them, so their
 * rows (and the knowledge extracted from them) do not wait for someone to open the document.
 */
export async function laggingDocuments(db: Sql): Promise<Array<{ tenantId: string; documentId: string }>> {
  const { rows } = await db.query<{ tenantId: string; documentId: string }>(
    `SELECT d.tenant_id AS "tenantId", d.id AS "documentId" FROM documents d
      WHERE EXISTS (SELECT 1 FROM yjs_updates u WHERE u.document_id = d.id
                       AND u.created_at > COALESCE((SELECT max(b.updated_at) FROM blocks b WHERE b.document_id = d.id), '-infinity'))`,
  );
  return rows;
}
