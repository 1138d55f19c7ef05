/**
 * The JSON the knowledge API returns (server/presenters/knowledge.ts builds it; the editor's
 * panels and decorations read it). Offsets are UTF-16 positions in the block's plain text
 * (lib/blocks/text.ts).
 */
export type AtomTypeName = 'TextAtom' | 'NumberAtom' | 'BooleanAtom' | 'DateAtom' | 'JSONAtom';
export type MoleculeTypeName = 'ConditionMolecule' | 'ConstraintMolecule' | 'ExceptionMolecule' | 'RequiresMolecule';
export type KnowledgeSource = 'ai_extracted' | 'manual' | 'llm';

export interface AtomDto {
  id: string;
  type: AtomTypeName;
  kind: string | null;
  /** The typed value: string, number, boolean, ISO date string or JSON. */
  value: unknown;
  canonical: string | null;
  unit: string | null;
  name: string | null;
  confidence: number;
  source: KnowledgeSource;
  version: number;
  previousVersion: string | null;
  /** Ids of the molecules this atom is part of. */
  moleculeIds: string[];
  /** A domain expert's decision on an extracted atom. */
  reviewStatus: 'unreviewed' | 'confirmed' | 'rejected';
  updatedAt: string;
}

export interface MoleculeAtomDto {
  atomId: string;
  role: 'subject' | 'condition' | 'result' | 'constraint';
  order: number;
}

export interface MoleculeDto {
  id: string;
  type: MoleculeTypeName;
  name: string | null;
  confidence: number;
  enforcement: 'block' | 'warn' | 'inform';
  /** The rule in plain words, e.g. "If jurisdiction is Quebec and amount over $5,000 → withholding rate is 10%". */
  summary: string;
  configuration: { ruleType: string; [key: string]: unknown };
  atoms: MoleculeAtomDto[];
  /** Code that implements the rule ("src/tax/quebec.ts:42" or a URL), linked by developers. */
  codeRefs: string[];
  updatedAt: string;
}

export interface AnnotationDto {
  id: string;
  blockId: string | null;
  start: number;
  end: number;
  quote: string;
  knowledgeType: 'atom' | 'molecule';
  knowledgeId: string;
  layer: 'atom' | 'molecule';
  confidence: number;
  source: KnowledgeSource;
  /** 'orphaned': the annotated text was deleted; shown in the panel, never dropped silently. */
  status: 'anchored' | 'orphaned';
}

export interface ExtractionStatusDto {
  state: 'idle' | 'queued' | 'running' | 'retrying' | 'failed';
  attempts: number;
  error: string | null;
  updatedAt: string | null;
  /** A running job's blocks stored of those it must extract; null when idle or not yet reported. */
  progress: ExtractionProgressDto | null;
  /** What extraction had to cap or chunk, in words for the person (null: nothing). */
  notice: string | null;
}

export interface ExtractionProgressDto {
  done: number;
  total: number;
}

/** GET /api/documents/:id/knowledge */
export interface DocumentKnowledgeDto {
  atoms: AtomDto[];
  molecules: MoleculeDto[];
  annotations: AnnotationDto[];
  status: ExtractionStatusDto;
}

/** POST /api/documents/:id/annotations — "Mark as atom". */
export interface ManualAtomRequest {
  blockId: string;
  start: number;
  end: number;
  /** Must equal the block's current text between start and end (else 409). */
  quote: string;
  type: AtomTypeName;
  name: string;
}

/** Server-sent events on GET /api/documents/:id/events: `event: knowledge` with this data. */
export interface KnowledgeChangedEvent {
  documentId: string;
  /** Extraction state after the change. */
  status: ExtractionStatusDto['state'];
  /** Sent while a job runs: the panel shows it without fetching the document's knowledge again. */
  progress?: ExtractionProgressDto;
}
