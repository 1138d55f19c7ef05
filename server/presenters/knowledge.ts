/** What leaves the server about knowledge: lib/knowledge/dto.ts shapes, no tenant ids. */
import type { AnnotationDto, AtomDto, ExtractionStatusDto, MoleculeDto } from '@/lib/knowledge/dto';
import type { AnnotationRow, AtomRow, MoleculeRow, StatusRow } from '../db/repos/knowledge';

function atomValue(row: AtomRow): unknown {
  switch (row.type) {
    case 'NumberAtom':
      return row.numberValue;
    case 'BooleanAtom':
      return row.booleanValue;
    case 'DateAtom':
      return row.dateValue ? new Date(row.dateValue).toISOString() : null;
    case 'JSONAtom':
      return row.jsonValue;
    default:
      return row.textValue;
  }
}

export function presentAtom(row: AtomRow): AtomDto {
  return {
    id: row.id,
    type: row.type as AtomDto['type'],
    kind: row.kind,
    value: atomValue(row),
    canonical: row.canonical,
    unit: row.unit,
    name: row.name,
    confidence: row.confidence,
    source: row.source as AtomDto['source'],
    version: row.version,
    previousVersion: row.previousVersion,
    moleculeIds: row.moleculeIds ?? [],
    reviewStatus: row.reviewStatus ?? 'unreviewed',
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** The rule in plain words, from the configuration's plain-word parts. */
export function moleculeSummary(type: string, configuration: Record<string, unknown> | null): string {
  const words = (key: string) => (typeof configuration?.[key] === 'string' ? (configuration[key] as string) : '');
  const condition = words('condition');
  const result = words('result');
  if (condition && result) return `If ${condition} → ${result}`;
  const parts = [words('constraint'), words('exception'), words('requirement'), condition, result].filter(Boolean);
  return parts[0] ?? type.replace('Molecule', '');
}

export function presentMolecule(row: MoleculeRow): MoleculeDto {
  return {
    id: row.id,
    type: row.type as MoleculeDto['type'],
    name: row.name,
    confidence: row.confidence,
    enforcement: row.enforcement as MoleculeDto['enforcement'],
    summary: moleculeSummary(row.type, row.configuration),
    configuration: row.configuration ?? { ruleType: 'unknown' },
    atoms: (row.atomRoles ?? []).map((ref) => ({ atomId: ref.atomId, role: ref.role as MoleculeDto['atoms'][number]['role'], order: ref.order })),
    codeRefs: row.codeRefs ?? [],
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

export function presentAnnotation(row: AnnotationRow): AnnotationDto {
  return {
    id: row.id,
    blockId: row.blockId,
    start: row.start,
    end: row.end,
    quote: row.quote,
    knowledgeType: row.knowledgeType as AnnotationDto['knowledgeType'],
    knowledgeId: row.knowledgeId,
    layer: row.layer as AnnotationDto['layer'],
    confidence: row.confidence,
    source: row.source as AnnotationDto['source'],
    status: row.status as AnnotationDto['status'],
  };
}

export function presentStatus(row: StatusRow): ExtractionStatusDto {
  return {
    state: row.state as ExtractionStatusDto['state'],
    attempts: row.attempts,
    error: row.error,
    updatedAt: row.updatedAt ? new Date(row.updatedAt).toISOString() : null,
    // Only a running job's numbers mean anything; those of a finished one would read as stuck.
    progress: row.state === 'running' && row.blocksTotal !== null ? { done: Math.min(row.blocksDone, row.blocksTotal), total: row.blocksTotal } : null,
    notice: row.notice,
  };
}
