/**
 * The product owner's view: documents by domain, the rules each holds in plain words, and the
 * organisation's open conflicts. One read under the caller's row-level security.
 */
import type { Sql } from '../db/client';
import { moleculeSummary } from './knowledge';

interface Row {
  domainId: string | null;
  domainName: string | null;
  documentId: string;
  title: string | null;
  moleculeId: string | null;
  type: string | null;
  name: string | null;
  configuration: Record<string, unknown> | null;
}

export interface ProductViewDocument {
  id: string;
  title: string;
  rules: Array<{ id: string; type: string; name: string | null; summary: string }>;
}

export interface ProductView {
  domains: Array<{ id: string | null; name: string; documents: ProductViewDocument[] }>;
}

export async function productView(tx: Sql, tenantId: string): Promise<ProductView> {
  const { rows } = await tx.query<Row>(
    `SELECT d.domain_id AS "domainId", dm.name AS "domainName", d.id AS "documentId", d.title,
            m.id AS "moleculeId", m.molecule_type AS type, m.name, m.configuration
       FROM documents d
       LEFT JOIN domains dm ON dm.id = d.domain_id AND dm.tenant_id = d.tenant_id
       LEFT JOIN molecule_metadata m ON m.tenant_id = d.tenant_id AND m.deleted_at IS NULL
            AND m.id IN (SELECT knowledge_id FROM annotations a WHERE a.tenant_id = d.tenant_id AND a.document_id = d.id AND a.knowledge_type = 'molecule')
      WHERE d.tenant_id = $1 AND NOT d.in_trash
      ORDER BY dm.name NULLS LAST, d.title NULLS LAST, d.id, m.created_at`,
    [tenantId],
  );
  const domains = new Map<string, ProductView['domains'][number]>();
  const documents = new Map<string, ProductViewDocument>();
  for (const row of rows) {
    const domainKey = row.domainId ?? '';
    let domain = domains.get(domainKey);
    if (!domain) domains.set(domainKey, (domain = { id: row.domainId, name: row.domainName ?? 'No domain', documents: [] }));
    let document = documents.get(row.documentId);
    if (!document) {
      documents.set(row.documentId, (document = { id: row.documentId, title: row.title || 'Untitled', rules: [] }));
      domain.documents.push(document);
    }
    if (row.moleculeId && row.type) {
      document.rules.push({ id: row.moleculeId, type: row.type, name: row.name, summary: moleculeSummary(row.type, row.configuration) });
    }
  }
  return { domains: [...domains.values()] };
}
