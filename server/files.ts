/**
 * Uploaded files for image and file blocks. The bytes are stored at
 * DATA_DIR/uploads/<tenant id>/<file id>: a path made of ids only, so an uploaded name can never
 * choose where anything is written. Names with path separators or control characters are refused.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Sql } from './db/client';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
/** Served inline; everything else (including SVG, which can carry script) downloads. */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export class UploadError extends Error {}

export function checkFileName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 255) throw new UploadError('A file name has 1 to 255 characters.');
  if (/[/\\\u0000-\u001f\u007f]/.test(trimmed) || trimmed === '.' || trimmed === '..') {
    throw new UploadError('A file name cannot contain path separators or control characters.');
  }
  return trimmed;
}

export interface FileRow {
  id: string;
  tenantId: string;
  name: string;
  contentType: string;
  sizeBytes: number;
}

const storedPath = (root: string, tenantId: string, id: string) => path.join(root, 'uploads', tenantId, id);

export async function saveFile(
  tx: Sql,
  root: string,
  input: { tenantId: string; documentId: string | null; userId: string; name: string; contentType: string; bytes: Uint8Array },
): Promise<FileRow> {
  const name = checkFileName(input.name);
  const contentType = /^[\w.+-]+\/[\w.+-]+$/.test(input.contentType) ? input.contentType : 'application/octet-stream';
  const { rows } = await tx.query<FileRow>(
    `INSERT INTO files (tenant_id, document_id, name, content_type, size_bytes, created_by) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id, tenant_id AS "tenantId", name, content_type AS "contentType", size_bytes::int AS "sizeBytes"`,
    [input.tenantId, input.documentId, name, contentType, input.bytes.byteLength, input.userId],
  );
  const file = rows[0];
  const target = storedPath(root, input.tenantId, file.id);
  await fs.mkdir(path.dirname(target), { recursive: true });
  // Written inside the transaction: a failed write rolls the row back.
  await fs.writeFile(target, input.bytes);
  return file;
}

export async function findFile(tx: Sql, tenantId: string, id: string): Promise<FileRow | null> {
  const { rows } = await tx.query<FileRow>(
    `SELECT id, tenant_id AS "tenantId", name, content_type AS "contentType", size_bytes::int AS "sizeBytes" FROM files WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}

export function readStoredFile(root: string, file: FileRow): Promise<Buffer> {
  return fs.readFile(storedPath(root, file.tenantId, file.id));
}

export function downloadHeaders(file: FileRow): Record<string, string> {
  const inline = INLINE_TYPES.has(file.contentType);
  return {
    'content-type': inline ? file.contentType : 'application/octet-stream',
    'content-length': String(file.sizeBytes),
    'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, max-age=3600',
  };
}
