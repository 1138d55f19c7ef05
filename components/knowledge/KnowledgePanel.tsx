'use client';

import type { Editor } from '@tiptap/core';
import { useEffect, useState, type FormEvent } from 'react';
import { revealKnowledge, setKnowledgeHighlights, setLayerView, type LayerView } from '@/lib/editor/annotations';
import type { AnnotationDto, AtomDto, DocumentKnowledgeDto, MoleculeDto } from '@/lib/knowledge/dto';
import { errorMessage } from '../api';
import { ConflictsList } from '../graph/ConflictsList';
import { GraphBehind } from '../graph/GraphBehind';
import { ImpactPanel } from '../graph/GraphPanel';
import { useConflicts } from '../graph/useGraph';
import { AnnotationHoverCard } from './AnnotationHoverCard';
import { ExtractionStatus } from './ExtractionStatus';
import { ATOM_TYPE_LABELS, ATOM_TYPES, ENFORCEMENT_LABELS, MOLECULE_TYPE_LABELS, atomLabel, percent } from './format';
import { LayerToggles } from './LayerToggles';
import { MarkAsAtom } from './MarkAsAtomDialog';
import { useCodeRef } from './useCodeRefs';
import { reviewStatusOf, useAtomReviews, useReviewAtom, type ReviewDecision, type ReviewStatus } from './useAtomReview';
import { useDocumentKnowledge } from './useDocumentKnowledge';
import { useServerLiveness } from '../serverLiveness';

type Tab = 'atoms' | 'molecules';

/**
 * What the panel offers follows the persona's view: a domain expert reviews atoms and marks new
 * ones; a developer explores impact and dependencies; a product owner reads the rules.
 */
export type KnowledgePanelMode = 'expert' | 'developer' | 'product';

type GraphRequest = { kind: 'impact' | 'dependencies'; nodeId: string };

/**
 * The knowledge beside the editor: extraction status, layer toggles, atoms by type, molecules,
 * orphaned annotations. Also feeds the editor's highlights and owns the hover card and "Mark as atom".
 */
export function KnowledgePanel({
  documentId,
  editor,
  mode = 'expert',
  canEdit = true,
  canLinkCode = false,
}: {
  documentId: string;
  editor: Editor | null;
  mode?: KnowledgePanelMode;
  /** The membership may write (domain expert, not previewing another persona). */
  canEdit?: boolean;
  /** The membership may link code to rules (developers and domain experts). */
  canLinkCode?: boolean;
}) {
  const knowledge = useDocumentKnowledge(documentId);
  const liveness = useServerLiveness();
  const [view, setView] = useState<LayerView>({ atoms: true, molecules: true, atomType: null });
  const [chosenTab, setTab] = useState<Tab>('atoms');
  const tab: Tab = mode === 'product' ? 'molecules' : chosenTab;
  const [graph, setGraph] = useState<GraphRequest | null>(null);
  const reviews = useAtomReviews(documentId);
  const review = useReviewAtom(documentId);
  const conflicts = useConflicts(documentId);
  const conflicting = new Set(conflicts.data?.conflicts.flatMap((c) => [c.sourceId, c.targetId]));
  const { data } = knowledge;

  useEffect(() => {
    if (editor && data) setKnowledgeHighlights(editor, data);
  }, [editor, data]);

  useEffect(() => {
    if (editor) setLayerView(editor, view);
  }, [editor, view]);

  const reveal = (knowledgeId: string) => {
    if (editor) revealKnowledge(editor, knowledgeId);
  };

  return (
    <aside className="knowledge-panel" data-testid="knowledge-panel" aria-label="Knowledge">
      <div className="knowledge-panel-head">
        <h2>Knowledge</h2>
        {data ? <ExtractionStatus status={data.status} liveness={liveness} /> : null}
      </div>
      <LayerToggles view={view} onChange={setView} />
      {knowledge.isError ? (
        <div className="notice notice-error" role="alert">
          <p>Could not load the knowledge of this document: {errorMessage(knowledge.error)}</p>
          <button type="button" className="button" onClick={() => void knowledge.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {knowledge.isPending ? <PanelSkeleton /> : null}
      {data ? (
        <>
          <div className="knowledge-tabs" role="tablist" aria-label="Knowledge">
            {mode === 'product' ? null : (
              <TabButton tab="atoms" current={tab} onSelect={setTab} label="Atoms" count={data.atoms.length} />
            )}
            <TabButton tab="molecules" current={tab} onSelect={setTab} label={mode === 'product' ? 'Rules' : 'Molecules'} count={data.molecules.length} />
          </div>
          <div className="knowledge-tabpanel" role="tabpanel" id={`knowledge-${tab}`} aria-labelledby={`knowledge-${tab}-tab`}>
            {tab === 'atoms' ? (
              <AtomList
                atoms={data.atoms}
                atomType={view.atomType}
                onReveal={reveal}
                onImpact={(nodeId) => setGraph({ kind: 'impact', nodeId })}
                review={
                  mode === 'expert'
                    ? {
                        canReview: canEdit,
                        statusOf: (atom) => reviewStatusOf(atom, reviews),
                        pendingId: review.isPending ? (review.variables?.atomId ?? null) : null,
                        onReview: (atomId, decision) => review.mutate({ atomId, decision }),
                      }
                    : null
                }
              />
            ) : (
              <MoleculeList
                documentId={documentId}
                canLinkCode={canLinkCode}
                knowledge={data}
                onReveal={reveal}
                conflicting={conflicting}
                onDependencies={mode === 'developer' ? (nodeId) => setGraph({ kind: 'dependencies', nodeId }) : null}
              />
            )}
          </div>
          {review.isError ? (
            <p className="notice notice-error" role="alert" data-testid="review-error">
              Could not save the review: {errorMessage(review.error)}
            </p>
          ) : null}
          <GraphBehind />
          <ConflictsList documentId={documentId} conflicts={conflicts.data} />
          <OrphanedList knowledge={data} />
        </>
      ) : null}
      {editor && data ? <AnnotationHoverCard editor={editor} knowledge={data} /> : null}
      {editor && canEdit && mode === 'expert' ? <MarkAsAtom editor={editor} documentId={documentId} /> : null}
      {graph ? <ImpactPanel key={`${graph.kind} ${graph.nodeId}`} kind={graph.kind} nodeId={graph.nodeId} onClose={() => setGraph(null)} /> : null}
    </aside>
  );
}

function TabButton(props: { tab: Tab; current: Tab; onSelect: (tab: Tab) => void; label: string; count: number }) {
  const selected = props.tab === props.current;
  return (
    <button
      type="button"
      role="tab"
      id={`knowledge-${props.tab}-tab`}
      aria-selected={selected}
      aria-controls={`knowledge-${props.tab}`}
      className={selected ? 'knowledge-tab is-selected' : 'knowledge-tab'}
      data-testid={`${props.tab}-tab`}
      onClick={() => props.onSelect(props.tab)}
    >
      {props.label} <span className="knowledge-count">{props.count}</span>
    </button>
  );
}

function PanelSkeleton() {
  return (
    <div className="knowledge-skeleton" aria-busy="true" aria-label="Loading knowledge">
      <span className="skeleton-line" style={{ width: '60%' }} />
      <span className="skeleton-line" style={{ width: '85%' }} />
      <span className="skeleton-line" style={{ width: '70%' }} />
    </div>
  );
}

interface ReviewControls {
  canReview: boolean;
  statusOf: (atom: AtomDto) => ReviewStatus;
  pendingId: string | null;
  onReview: (atomId: string, decision: ReviewDecision) => void;
}

const REVIEW_LABELS: Record<ReviewStatus, string> = { unreviewed: 'Not reviewed', confirmed: 'Confirmed', rejected: 'Rejected' };

function AtomReview({ atom, controls }: { atom: AtomDto; controls: ReviewControls }) {
  const status = controls.statusOf(atom);
  const pending = controls.pendingId === atom.id;
  const label = atomLabel(atom);
  return (
    <div className="atom-review" data-testid="atom-review" data-status={status}>
      <span className={`review-status is-${status}`} data-testid="review-status">
        {REVIEW_LABELS[status]}
      </span>
      {controls.canReview ? (
        <>
          <button
            type="button"
            className="review-button is-confirm"
            data-testid="confirm-atom"
            aria-pressed={status === 'confirmed'}
            aria-label={`Confirm ${label}`}
            disabled={pending || status === 'confirmed'}
            onClick={() => controls.onReview(atom.id, 'confirmed')}
          >
            Confirm
          </button>
          <button
            type="button"
            className="review-button is-reject"
            data-testid="reject-atom"
            aria-pressed={status === 'rejected'}
            aria-label={`Reject ${label}`}
            disabled={pending || status === 'rejected'}
            onClick={() => controls.onReview(atom.id, 'rejected')}
          >
            Reject
          </button>
        </>
      ) : null}
    </div>
  );
}

function AtomList(props: {
  atoms: AtomDto[];
  atomType: LayerView['atomType'];
  onReveal: (id: string) => void;
  onImpact: (id: string) => void;
  review: ReviewControls | null;
}) {
  const { atoms, atomType, onReveal, onImpact, review } = props;
  if (atoms.length === 0) {
    return <p className="knowledge-empty">No atoms yet. Amounts, rates, dates and places in the text appear here as they are extracted.</p>;
  }
  const groups = ATOM_TYPES.filter((type) => atomType === null || type === atomType)
    .map((type) => ({ type, atoms: atoms.filter((atom) => atom.type === type) }))
    .filter((group) => group.atoms.length > 0);
  if (groups.length === 0) return <p className="knowledge-empty">No atoms of this type.</p>;
  return (
    <>
      {groups.map((group) => (
        <section key={group.type} className="knowledge-group" data-atom-type={group.type}>
          <h3>
            {ATOM_TYPE_LABELS[group.type]} <span className="knowledge-count">{group.atoms.length}</span>
          </h3>
          <ul>
            {group.atoms.map((atom) => (
              <li key={atom.id} className="atom-row">
                <button
                  type="button"
                  className="atom-item"
                  data-testid="atom-item"
                  data-atom-type={atom.type}
                  data-atom-id={atom.id}
                  onClick={() => onReveal(atom.id)}
                >
                  <span className={`atom-item-value kos-type--${atom.type}`}>{atomLabel(atom)}</span>
                  {atom.name ? <span className="atom-item-name">{atom.name}</span> : null}
                  <span className="atom-item-meta">
                    {percent(atom.confidence)}
                    {atom.source === 'manual' ? ' · manual' : ''}
                  </span>
                </button>
                <button type="button" className="impact-button" data-testid="impact-button" title="What depends on this atom" onClick={() => onImpact(atom.id)}>
                  Impact
                </button>
                {review ? <AtomReview atom={atom} controls={review} /> : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}

/** "condition → result" from the molecule's atoms, for molecules the server left without a summary. */
function ruleInWords(molecule: MoleculeDto, atoms: AtomDto[]): string {
  if (molecule.summary.trim() !== '') return molecule.summary;
  const label = (role: string) =>
    molecule.atoms
      .filter((member) => member.role === role)
      .flatMap((member) => atoms.filter((atom) => atom.id === member.atomId).map(atomLabel))
      .join(' and ');
  return `${label('condition') || label('subject')} → ${label('result') || label('constraint')}`;
}

/** The code that implements a rule; developers and domain experts add and remove references. */
function CodeRefs({ documentId, molecule, canLinkCode }: { documentId: string; molecule: MoleculeDto; canLinkCode: boolean }) {
  const [draft, setDraft] = useState<string | null>(null);
  const codeRef = useCodeRef(documentId);
  if (molecule.codeRefs.length === 0 && !canLinkCode) return null;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const ref = draft?.trim() ?? '';
    if (ref === '') return;
    codeRef.mutate({ moleculeId: molecule.id, ref }, { onSuccess: () => setDraft(null) });
  };
  return (
    <div className="code-refs" data-testid="code-refs">
      {molecule.codeRefs.map((ref) => (
        <span key={ref} className="code-ref" data-testid="code-ref">
          {/^https?:\/\//.test(ref) ? (
            <a href={ref} target="_blank" rel="noreferrer noopener">
              {ref}
            </a>
          ) : (
            <code>{ref}</code>
          )}
          {canLinkCode ? (
            <button
              type="button"
              className="code-ref-remove"
              aria-label={`Remove the code reference ${ref}`}
              disabled={codeRef.isPending}
              onClick={() => codeRef.mutate({ moleculeId: molecule.id, ref, remove: true })}
            >
              ×
            </button>
          ) : null}
        </span>
      ))}
      {canLinkCode && draft === null ? (
        <button type="button" className="impact-button" data-testid="add-code-ref" onClick={() => setDraft('')}>
          + Code
        </button>
      ) : null}
      {canLinkCode && draft !== null ? (
        <form className="code-ref-form" onSubmit={onSubmit}>
          <label className="visually-hidden" htmlFor={`code-ref-${molecule.id}`}>
            Code that implements this rule
          </label>
          <input
            id={`code-ref-${molecule.id}`}
            autoFocus
            maxLength={500}
            placeholder="src/tax/quebec.ts:42 or a URL"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setDraft(null);
            }}
          />
          <button type="submit" className="impact-button" disabled={codeRef.isPending || draft.trim() === ''}>
            Link
          </button>
        </form>
      ) : null}
      {codeRef.isError ? (
        <span className="inline-error" role="alert">
          {errorMessage(codeRef.error)}
        </span>
      ) : null}
    </div>
  );
}

function MoleculeList({
  documentId,
  canLinkCode,
  knowledge,
  onReveal,
  conflicting,
  onDependencies,
}: {
  documentId: string;
  canLinkCode: boolean;
  knowledge: DocumentKnowledgeDto;
  onReveal: (id: string) => void;
  conflicting: Set<string>;
  onDependencies: ((id: string) => void) | null;
}) {
  if (knowledge.molecules.length === 0) {
    return <p className="knowledge-empty">No molecules yet. Rules such as “if … then …” appear here once their atoms are found.</p>;
  }
  return (
    <ul>
      {knowledge.molecules.map((molecule) => {
        const members = [...molecule.atoms]
          .sort((a, b) => a.order - b.order)
          .flatMap((member) => knowledge.atoms.filter((atom) => atom.id === member.atomId));
        return (
          <li key={molecule.id} className="molecule-item" data-testid="molecule-item" data-molecule-type={molecule.type}>
            <button type="button" className="molecule-item-rule" onClick={() => onReveal(molecule.id)}>
              {ruleInWords(molecule, knowledge.atoms)}
            </button>
            <div className="molecule-item-meta">
              <span>{MOLECULE_TYPE_LABELS[molecule.type]}</span>
              <span className={`enforcement-badge is-${molecule.enforcement}`}>{ENFORCEMENT_LABELS[molecule.enforcement]}</span>
              <span>{percent(molecule.confidence)}</span>
              {conflicting.has(molecule.id) ? <span className="conflict-badge" data-testid="molecule-conflict">Conflict</span> : null}
              {onDependencies ? (
                <button
                  type="button"
                  className="impact-button"
                  data-testid="dependencies-button"
                  title="What this rule depends on"
                  onClick={() => onDependencies(molecule.id)}
                >
                  Dependencies
                </button>
              ) : null}
            </div>
            {members.length > 0 ? (
              <div className="knowledge-chips">
                {members.map((atom) => (
                  <button key={atom.id} type="button" className={`knowledge-chip kos-type--${atom.type}`} onClick={() => onReveal(atom.id)}>
                    {atomLabel(atom)}
                  </button>
                ))}
              </div>
            ) : null}
            <CodeRefs documentId={documentId} molecule={molecule} canLinkCode={canLinkCode} />
          </li>
        );
      })}
    </ul>
  );
}

function describeTarget(annotation: AnnotationDto, knowledge: DocumentKnowledgeDto): string {
  if (annotation.knowledgeType === 'molecule') {
    return knowledge.molecules.find((m) => m.id === annotation.knowledgeId)?.summary ?? 'a molecule';
  }
  const atom = knowledge.atoms.find((a) => a.id === annotation.knowledgeId);
  return atom ? (atom.name ?? atomLabel(atom)) : 'an atom';
}

function OrphanedList({ knowledge }: { knowledge: DocumentKnowledgeDto }) {
  const orphaned = knowledge.annotations.filter((annotation) => annotation.status === 'orphaned');
  if (orphaned.length === 0) return null;
  return (
    <section className="knowledge-orphaned">
      <h3>
        Orphaned <span className="knowledge-count">{orphaned.length}</span>
      </h3>
      <p className="knowledge-hint">The text these pointed to was deleted.</p>
      <ul>
        {orphaned.map((annotation) => (
          <li key={annotation.id} className="orphaned-item" data-testid="orphaned-item">
            <span className="orphaned-quote">“{annotation.quote}”</span>
            <span className="orphaned-target">{describeTarget(annotation, knowledge)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
