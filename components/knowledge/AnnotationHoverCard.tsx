'use client';

import type { Editor } from '@tiptap/core';
import { useEffect, useRef, useState } from 'react';
import { highlightsAt } from '@/lib/editor/annotations';
import type { AtomDto, DocumentKnowledgeDto, KnowledgeSource, MoleculeDto } from '@/lib/knowledge/dto';
import { ATOM_TYPE_LABELS, ENFORCEMENT_LABELS, MOLECULE_TYPE_LABELS, atomLabel, formatValue, percent, sourceLabel } from './format';

interface Anchor {
  annotationId: string;
  left: number;
  top: number;
  bottom: number;
}

const CARD_WIDTH = 300;
const HIDE_DELAY_MS = 150;

/**
 * Details of the atom or molecule under the pointer, or under the caret when it is moved into a
 * highlight with the keyboard.
 */
export function AnnotationHoverCard({ editor, knowledge }: { editor: Editor; knowledge: DocumentKnowledgeDto }) {
  const [anchor, setAnchor] = useState<Anchor | null>(null);
  const hideTimer = useRef<number | undefined>(undefined);

  const keep = () => window.clearTimeout(hideTimer.current);
  const hideSoon = () => {
    keep();
    hideTimer.current = window.setTimeout(() => setAnchor(null), HIDE_DELAY_MS);
  };

  useEffect(() => {
    const dom = editor.view.dom;
    const hide = () => setAnchor(null);
    const onMouseOver = (event: MouseEvent) => {
      const target = event.target instanceof Element ? event.target : null;
      const highlight = target?.closest('.kos-atom') ?? target?.closest('.kos-molecule');
      const annotationId = highlight?.getAttribute('data-annotation-id');
      if (!highlight || !annotationId) {
        hideSoon();
        return;
      }
      window.clearTimeout(hideTimer.current);
      const rect = highlight.getBoundingClientRect();
      setAnchor({ annotationId, left: rect.left, top: rect.top, bottom: rect.bottom });
    };
    const onSelection = ({ transaction }: { transaction: { docChanged: boolean } }) => {
      const { empty, from } = editor.state.selection;
      const hit = empty && !transaction.docChanged ? highlightsAt(editor, from)[0] : undefined;
      if (!hit) {
        hide();
        return;
      }
      const start = editor.view.coordsAtPos(hit.from);
      const end = editor.view.coordsAtPos(hit.to);
      setAnchor({ annotationId: hit.annotation.id, left: start.left, top: start.top, bottom: Math.max(start.bottom, end.bottom) });
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') hide();
    };
    dom.addEventListener('mouseover', onMouseOver);
    dom.addEventListener('mouseleave', hideSoon);
    dom.addEventListener('keydown', onKeyDown);
    window.addEventListener('scroll', hide, { passive: true });
    editor.on('selectionUpdate', onSelection);
    return () => {
      window.clearTimeout(hideTimer.current);
      dom.removeEventListener('mouseover', onMouseOver);
      dom.removeEventListener('mouseleave', hideSoon);
      dom.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('scroll', hide);
      editor.off('selectionUpdate', onSelection);
    };
    // hideSoon only touches the timer ref and the state setter, so the editor is the only dependency.
  }, [editor]);

  const annotation = anchor ? knowledge.annotations.find((a) => a.id === anchor.annotationId) : undefined;
  if (!anchor || !annotation) return null;
  const atom = annotation.knowledgeType === 'atom' ? knowledge.atoms.find((a) => a.id === annotation.knowledgeId) : undefined;
  const molecule = annotation.knowledgeType === 'molecule' ? knowledge.molecules.find((m) => m.id === annotation.knowledgeId) : undefined;
  if (!atom && !molecule) return null;

  const left = Math.max(8, Math.min(anchor.left, window.innerWidth - CARD_WIDTH - 8));
  const below = anchor.bottom + 6 + 220 < window.innerHeight;
  const style = below ? { left, top: anchor.bottom + 6, width: CARD_WIDTH } : { left, bottom: window.innerHeight - anchor.top + 6, width: CARD_WIDTH };

  return (
    <div className="annotation-card" data-testid="annotation-card" role="tooltip" style={style} onMouseEnter={keep} onMouseLeave={hideSoon}>
      {atom ? <AtomDetails atom={atom} molecules={knowledge.molecules} /> : null}
      {molecule ? <MoleculeDetails molecule={molecule} atoms={knowledge.atoms} source={annotation.source} /> : null}
    </div>
  );
}

function AtomDetails({ atom, molecules }: { atom: AtomDto; molecules: MoleculeDto[] }) {
  const partOf = molecules.filter((molecule) => atom.moleculeIds.includes(molecule.id));
  return (
    <>
      <div className="annotation-card-head">
        <span className={`kos-type-badge kos-type--${atom.type}`}>{ATOM_TYPE_LABELS[atom.type]}</span>
        <span className="annotation-card-confidence">{percent(atom.confidence)} confidence</span>
      </div>
      <dl className="annotation-card-fields">
        <dt>Value</dt>
        <dd>{formatValue(atom.value)}</dd>
        {atom.unit ? (
          <>
            <dt>Unit</dt>
            <dd>{atom.unit}</dd>
          </>
        ) : null}
        {atom.canonical ? (
          <>
            <dt>Canonical</dt>
            <dd>{atom.canonical}</dd>
          </>
        ) : null}
        {atom.name ? (
          <>
            <dt>Name</dt>
            <dd>{atom.name}</dd>
          </>
        ) : null}
        <dt>Source</dt>
        <dd>{sourceLabel(atom.source)}</dd>
      </dl>
      {partOf.length > 0 ? (
        <div className="annotation-card-section">
          <div className="annotation-card-label">Part of</div>
          <ul>
            {partOf.map((molecule) => (
              <li key={molecule.id}>{molecule.summary}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}

function MoleculeDetails({ molecule, atoms, source }: { molecule: MoleculeDto; atoms: AtomDto[]; source: KnowledgeSource }) {
  const members = molecule.atoms.flatMap((member) => atoms.filter((atom) => atom.id === member.atomId));
  return (
    <>
      <div className="annotation-card-head">
        <span className="kos-type-badge kos-type--molecule">{MOLECULE_TYPE_LABELS[molecule.type]}</span>
        <span className="annotation-card-confidence">{percent(molecule.confidence)} confidence</span>
      </div>
      <p className="annotation-card-summary">{molecule.summary}</p>
      <dl className="annotation-card-fields">
        {molecule.name ? (
          <>
            <dt>Name</dt>
            <dd>{molecule.name}</dd>
          </>
        ) : null}
        <dt>Enforcement</dt>
        <dd>{ENFORCEMENT_LABELS[molecule.enforcement]}</dd>
        <dt>Source</dt>
        <dd>{sourceLabel(source)}</dd>
      </dl>
      {members.length > 0 ? (
        <div className="knowledge-chips">
          {members.map((atom) => (
            <span key={atom.id} className={`knowledge-chip kos-type--${atom.type}`}>
              {atomLabel(atom)}
            </span>
          ))}
        </div>
      ) : null}
    </>
  );
}
