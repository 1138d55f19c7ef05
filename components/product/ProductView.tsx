'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect } from 'react';
import { z } from 'zod';
import { errorMessage, requestJson } from '../api';
import { nodeHref } from '../graph/GraphPanel';

const productViewSchema = z.object({
  domains: z.array(
    z.object({
      id: z.string().nullable(),
      name: z.string(),
      documents: z.array(
        z.object({
          id: z.string(),
          title: z.string(),
          rules: z.array(z.object({ id: z.string(), type: z.string(), name: z.string().nullable(), summary: z.string() })),
        }),
      ),
    }),
  ),
  conflicts: z.array(z.object({ sourceId: z.string(), targetId: z.string(), reason: z.string().nullable(), severity: z.string().nullable() })),
  conflictNodes: z.array(
    z.object({ id: z.string(), name: z.string(), documentId: z.string().nullable(), blockId: z.string().nullable() }).loose(),
  ),
});
type ProductViewData = z.infer<typeof productViewSchema>;

const RULE_KINDS: Record<string, string> = {
  ConditionMolecule: 'Rule',
  ConstraintMolecule: 'Limit',
  ExceptionMolecule: 'Exception',
  RequiresMolecule: 'Requirement',
};

export function useProductView() {
  return useQuery({
    queryKey: ['views', 'product'],
    queryFn: () => requestJson('/api/views/product', productViewSchema),
    // Rules appear a moment after the text is written; keep the view current without a reload.
    refetchInterval: 10_000,
  });
}

function Conflicts({ data }: { data: ProductViewData }) {
  const byId = new Map(data.conflictNodes.map((node) => [node.id, node]));
  const titleOf = new Map(data.domains.flatMap((d) => d.documents.map((doc) => [doc.id, doc.title] as const)));
  return (
    <section className="product-conflicts" aria-labelledby="conflicts-heading" data-testid="product-conflicts">
      <h2 id="conflicts-heading">
        Open conflicts <span className="knowledge-count">{data.conflicts.length}</span>
      </h2>
      {data.conflicts.length === 0 ? (
        <p className="knowledge-empty">No rules contradict each other.</p>
      ) : (
        <ul>
          {data.conflicts.map((conflict) => (
            <li key={`${conflict.sourceId} ${conflict.targetId}`} className="conflict-item" data-testid="product-conflict">
              {[conflict.sourceId, conflict.targetId].map((id, i) => {
                const node = byId.get(id);
                const href = node ? nodeHref(node) : null;
                const documentTitle = node?.documentId ? titleOf.get(node.documentId) : undefined;
                return (
                  <span key={id} className="conflict-side">
                    {i === 1 ? <span className="conflict-versus">contradicts</span> : null}
                    {href ? <a href={href}>{node?.name}</a> : <span>{node?.name ?? 'a rule'}</span>}
                    {documentTitle ? <span className="knowledge-hint"> in “{documentTitle}”</span> : null}
                  </span>
                );
              })}
              {conflict.reason ? <span className="knowledge-hint">{conflict.reason}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The product owner's view: documents by domain, the rules each holds in plain words, open conflicts. */
export function ProductView() {
  const view = useProductView();

  // The sidebar links to #domain-<id>; the section exists only once the data is in.
  useEffect(() => {
    if (!view.data || !window.location.hash) return;
    window.document.getElementById(window.location.hash.slice(1))?.scrollIntoView({ block: 'start' });
  }, [view.data]);

  return (
    <main className="page page-wide" data-testid="product-view">
      <div className="page-heading">
        <h1>Product view</h1>
      </div>
      <p className="page-lede">Every document by domain, with the rules it contains in plain words.</p>
      {view.isPending ? (
        <div aria-busy="true" aria-label="Loading the product view" className="knowledge-skeleton">
          <span className="skeleton-line" style={{ width: '40%' }} />
          <span className="skeleton-line" style={{ width: '75%' }} />
          <span className="skeleton-line" style={{ width: '65%' }} />
        </div>
      ) : view.isError ? (
        <div className="notice notice-error" role="alert">
          <p>Could not load the product view: {errorMessage(view.error)}</p>
          <button type="button" className="button" onClick={() => void view.refetch()}>
            Try again
          </button>
        </div>
      ) : (
        <>
          <Conflicts data={view.data} />
          {view.data.domains.length === 0 ? (
            <div className="empty-state" data-testid="product-empty">
              <p className="empty-state-title">No documents yet</p>
              <p>Rules appear here as soon as domain experts write them down.</p>
            </div>
          ) : (
            view.data.domains.map((domain) => (
              <section
                key={domain.id ?? 'none'}
                id={`domain-${domain.id ?? 'none'}`}
                className="product-domain"
                data-testid="product-domain"
                aria-labelledby={`domain-heading-${domain.id ?? 'none'}`}
              >
                <h2 id={`domain-heading-${domain.id ?? 'none'}`}>{domain.name}</h2>
                <ul className="product-documents">
                  {domain.documents.map((document) => (
                    <li key={document.id} className="product-document" data-testid="product-document">
                      <h3>
                        <Link href={`/d/${encodeURIComponent(document.id)}`}>{document.title}</Link>
                      </h3>
                      {document.rules.length === 0 ? (
                        <p className="knowledge-empty">No rules found in this document yet.</p>
                      ) : (
                        <ul className="product-rules">
                          {document.rules.map((rule) => (
                            <li key={rule.id} className="product-rule" data-testid="product-rule">
                              <span className="product-rule-kind">{RULE_KINDS[rule.type] ?? 'Rule'}</span>
                              <span className="product-rule-summary">{rule.summary}</span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </li>
                  ))}
                </ul>
              </section>
            ))
          )}
        </>
      )}
    </main>
  );
}
