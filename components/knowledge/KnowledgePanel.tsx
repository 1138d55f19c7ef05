'use client';

import type { Editor } from '@tiptap/core';
import { useEffect, useState } from 'react';
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
import { useDocumentKnowledge } from './useDocumentKnowledge';

type Tab = 'atoms' | 'molecules';

/**
 * The knowledge beside the editor: extraction status, layer toggles, atoms by type, molecules,
 * orphaned annotations. Also feeds the editor's highlights and owns the hover card and "Mark as atom".
 */
export function KnowledgePanel({ documentId, editor }: { documentId: string; editor: Editor | null }) {
  const knowledge = useDocumentKnowledge(documentId);
  const [view, setView] = useState<LayerView>({ atoms: true, molecules: true, atomType: null });
  const [tab, setTab] = useState<Tab>('atoms');
  const [impactOf, setImpactOf] = useState<string | null>(null);
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
        {data ? <ExtractionStatus status={data.status} /> : null}
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
            <TabButton tab="atoms" current={tab} onSelect={setTab} label="Atoms" count={data.atoms.length} />
            <TabButton tab="molecules" current={tab} onSelect={setTab} label="Molecules" count={data.molecules.length} />
          </div>
          <div className="knowledge-tabpanel" role="tabpanel" id={`knowledge-${tab}`} aria-labelledby={`knowledge-${tab}-tab`}>
            {tab === 'atoms' ? (
              <AtomList atoms={data.atoms} atomType={view.atomType} onReveal={reveal} onImpact={setImpactOf} />
            ) : (
              <MoleculeList knowledge={data} onReveal={reveal} conflicting={conflicting} />
            )}
          </div>
          <GraphBehind />
          <ConflictsList documentId={documentId} conflicts={conflicts.data} />
          <OrphanedList knowledge={data} />
        </>
      ) : null}
      {editor && data ? <AnnotationHoverCard editor={editor} knowledge={data} /> : null}
      {editor ? <MarkAsAtom editor={editor} documentId={documentId} /> : null}
      {impactOf ? <ImpactPanel key={impactOf} nodeId={impactOf} onClose={() => setImpactOf(null)} /> : null}
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

function AtomList(props: { atoms: AtomDto[]; atomType: LayerView['atomType']; onReveal: (id: string) => void; onImpact: (id: string) => void }) {
  const { atoms, atomType, onReveal, onImpact } = props;
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

function MoleculeList({ knowledge, onReveal, conflicting }: { knowledge: DocumentKnowledgeDto; onReveal: (id: string) => void; conflicting: Set<string> }) {
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
