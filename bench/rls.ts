/**
 * Row-level security overhead (issue 6). A fresh PostgreSQL database with 10,000 documents spread
 * over 5 tenants (the measured tenant holds 4,000; 10 blocks, 5 atoms with their annotations and
 * 1 rule per document), generated in SQL. Then the editor's main queries, each run through the
 * app's repositories in one transaction:
 *   listDocuments     DocumentRepository.list (the sidebar: 200 newest)
 *   openDocument      DocumentRepository.find + BlockRepository.listByDocument
 *   documentKnowledge KnowledgeRepository atomsOfDocument, moleculesOfDocument, annotations, status
 * "without": the owner role (no policies apply), same tenant filters, in db.tx();
 * "with":    withTenant() as knowledge_app, as request handlers run them (includes the SET LOCALs
 *            sent with the BEGIN that starts each request's transaction);
 * "settings": the owner role in db.tx() plus the same SET LOCAL statements (app.* only, no role),
 *            the round trip without the policies, to tell the two costs apart.
 * All run side by side in one process and one run, interleaved (the order rotates every round),
 * on the same random document per round, after a warm-up. Target: with / without ≤ 1.10 on the
 * median. (EXPLAIN shows each policy as a one-time filter on top of the same index scans.)
 */
import { performance } from 'node:perf_hooks';
import { openPostgres, type Database, type Sql } from '../server/db/client';
import { migrate } from '../server/db/migrate';
import { createTenant } from '../server/db/repos/tenants';
import { DocumentRepository } from '../server/db/repos/documents';
import { BlockRepository } from '../server/db/repos/blocks';
import { KnowledgeRepository } from '../server/db/repos/knowledge';
import { withTenant, type TenantContext } from '../server/db/tenant';
import { createBenchDatabase } from './support/benchDatabase';
import { onInterrupt } from './support/cleanup';
import { round } from './support/stats';

const TOTAL_DOCUMENTS = Number(process.env.BENCH_RLS_DOCUMENTS ?? 10_000);
const TENANTS = 5;
/** Share of the documents held by the measured tenant; the other tenants split the rest. */
const MEASURED_SHARE = 0.4;
const BLOCKS_PER_DOCUMENT = 10;
const ATOMS_PER_DOCUMENT = 5;
const WARMUP_ROUNDS = 50;
const ROUNDS = Number(process.env.BENCH_RLS_ROUNDS ?? 500);
const TARGET_RATIO = 1.1;

type Query = (tx: Sql, tenantId: string, documentId: string) => Promise<number>;

const QUERIES: Record<string, Query> = {
  listDocuments: async (tx, tenantId) => (await DocumentRepository.list(tx, tenantId)).length,
  openDocument: async (tx, tenantId, documentId) => {
    const document = await DocumentRepository.find(tx, tenantId, documentId);
    return (document ? 1 : 0) + (await BlockRepository.listByDocument(tx, tenantId, documentId)).length;
  },
  documentKnowledge: async (tx, tenantId, documentId) =>
    (await KnowledgeRepository.atomsOfDocument(tx, tenantId, documentId)).length +
    (await KnowledgeRepository.moleculesOfDocument(tx, tenantId, documentId)).length +
    (await KnowledgeRepository.annotations(tx, tenantId, documentId)).length +
    (await KnowledgeRepository.status(tx, tenantId, documentId)).attempts,
};

interface Side {
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
  samples: number;
}

/** Nearest-rank percentiles and the mean, rounded to 0.001 ms. */
function summarise(samples: number[]): Side {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))], 3);
  return { p50Ms: at(0.5), p95Ms: at(0.95), meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length, 3), samples: samples.length };
}

/** Documents per tenant: the measured one first. */
function documentCounts(): number[] {
  const measured = Math.round(TOTAL_DOCUMENTS * MEASURED_SHARE);
  const others = Array.from({ length: TENANTS - 1 }, (_, i) => Math.floor((TOTAL_DOCUMENTS - measured) / (TENANTS - 1)) + (i < (TOTAL_DOCUMENTS - measured) % (TENANTS - 1) ? 1 : 0));
  return [measured, ...others];
}

async function generate(db: Database, tenantId: string, documents: number, offset: number): Promise<void> {
  const statements = [
    `CREATE TEMP TABLE bench_doc ON COMMIT DROP AS
       SELECT i, gen_random_uuid() AS id FROM generate_series(0, ${documents - 1}) i`,
    `INSERT INTO documents (id, tenant_id, title, updated_at)
       SELECT id, $1, 'Document ' || (i + ${offset}), NOW() - (i || ' seconds')::interval FROM bench_doc`,
    `CREATE TEMP TABLE bench_block ON COMMIT DROP AS
       SELECT d.i AS doc, p AS pos, d.id AS doc_id, gen_random_uuid() AS id FROM bench_doc d, generate_series(0, ${BLOCKS_PER_DOCUMENT - 1}) p`,
    `INSERT INTO blocks (id, tenant_id, document_id, position, block_type, content)
       SELECT id, $1, doc_id, pos, 'paragraph',
              jsonb_build_object('rich_text', jsonb_build_array(jsonb_build_object('text', 'In province ' || pos || ', the rate is ' || doc % 20 || '% for amounts over $' || pos * 1000 || '.')))
         FROM bench_block`,
    `CREATE TEMP TABLE bench_atom ON COMMIT DROP AS
       SELECT d.i AS doc, d.id AS doc_id, k, gen_random_uuid() AS id FROM bench_doc d, generate_series(0, ${ATOMS_PER_DOCUMENT - 1}) k`,
    `INSERT INTO atoms (id, tenant_id, atom_type, kind, text_value, canonical, name, confidence, source)
       SELECT id, $1, 'TextAtom', 'slot', 'value ' || doc || '-' || k, 'c-' || doc || '-' || k, 'Atom ' || k, 0.9, 'ai_extracted' FROM bench_atom`,
    `INSERT INTO annotations (tenant_id, document_id, block_id, start_offset, end_offset, quote, knowledge_type, knowledge_id, layer, confidence, source, status)
       SELECT $1, a.doc_id, b.id, 0, 8, 'province', 'atom', a.id, 'atom', 0.9, 'ai_extracted', 'anchored'
         FROM bench_atom a JOIN bench_block b ON b.doc = a.doc AND b.pos = a.k`,
    `CREATE TEMP TABLE bench_mol ON COMMIT DROP AS
       SELECT d.i AS doc, d.id AS doc_id, gen_random_uuid() AS id FROM bench_doc d`,
    `INSERT INTO molecule_metadata (id, tenant_id, molecule_type, atom_ids, atom_roles, configuration, enforcement_level, name, confidence, source)
       SELECT m.id, $1, 'ConditionMolecule', array_agg(a.id ORDER BY a.k),
              jsonb_agg(jsonb_build_object('atomId', a.id, 'role', CASE WHEN a.k = 0 THEN 'condition' ELSE 'result' END, 'order', a.k) ORDER BY a.k),
              '{"ruleType":"generated"}'::jsonb, 'warn', 'Rule ' || m.doc, 0.8, 'ai_extracted'
         FROM bench_mol m JOIN bench_atom a ON a.doc = m.doc GROUP BY m.id, m.doc`,
    `INSERT INTO annotations (tenant_id, document_id, block_id, start_offset, end_offset, quote, knowledge_type, knowledge_id, layer, confidence, source, status)
       SELECT $1, m.doc_id, b.id, 0, 8, 'province', 'molecule', m.id, 'molecule', 0.8, 'ai_extracted', 'anchored'
         FROM bench_mol m JOIN bench_block b ON b.doc = m.doc AND b.pos = 0`,
    `INSERT INTO extraction_status (tenant_id, document_id, state) SELECT $1, id, 'idle' FROM bench_doc`,
  ];
  await db.tx(async (tx) => {
    for (const sql of statements) await tx.query(sql, sql.includes('$1') ? [tenantId] : []);
  });
}

export async function runRlsSuite(): Promise<object> {
  const database = await createBenchDatabase();
  const unregister = onInterrupt(() => database.drop());
  const db = openPostgres(database.url);
  try {
    await migrate(db);
    const counts = documentCounts();
    console.error(`[bench rls] generating ${TOTAL_DOCUMENTS} documents in ${TENANTS} tenants (${counts.join(', ')})`);
    const generateStart = performance.now();
    const tenants: string[] = [];
    let offset = 0;
    for (const [i, documents] of counts.entries()) {
      const tenant = await createTenant(db, `Bench tenant ${i}`, `bench-${i}-${Date.now()}`);
      await generate(db, tenant.id, documents, offset);
      tenants.push(tenant.id);
      offset += documents;
    }
    await db.query('ANALYZE');
    const generateS = round((performance.now() - generateStart) / 1000, 1);
    const tenantId = tenants[0];
    const { rows: documentRows } = await db.query<{ id: string }>('SELECT id FROM documents WHERE tenant_id = $1', [tenantId]);
    const documentIds = documentRows.map((r) => r.id);
    const context: TenantContext = { tenantId, userId: null, persona: 'domain_expert' };

    const sides = {
      without: (query: Query, documentId: string) => db.tx((tx) => query(tx, tenantId, documentId)),
      with: (query: Query, documentId: string) => withTenant(db, context, (tx) => query(tx, tenantId, documentId)),
      settings: (query: Query, documentId: string) =>
        db.tx(async (tx) => {
          await tx.query(`SET LOCAL app.tenant_id = '${tenantId}'; SET LOCAL app.user_id = ''; SET LOCAL app.persona = 'domain_expert'`);
          return query(tx, tenantId, documentId);
        }),
    };
    const names = ['without', 'with', 'settings'] as const;
    const timed = async (run: () => Promise<number>): Promise<[number, number]> => {
      const start = performance.now();
      const rows = await run();
      return [performance.now() - start, rows];
    };

    const results: Record<string, { without: Side; with: Side; settings: Side; ratioP50: number; ratioP95: number; policiesOnlyRatioP50: number; rowsPerCall: number }> = {};
    for (const [name, query] of Object.entries(QUERIES)) {
      const samples = { without: [] as number[], with: [] as number[], settings: [] as number[] };
      let rowsPerCall = 0;
      for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
        const documentId = documentIds[Math.floor(Math.random() * documentIds.length)];
        const seen = new Set<number>();
        for (let k = 0; k < names.length; k++) {
          const side = names[(r + k) % names.length];
          const [ms, rows] = await timed(() => sides[side](query, documentId));
          seen.add(rows);
          if (r >= WARMUP_ROUNDS) samples[side].push(ms);
          rowsPerCall = rows;
        }
        // Every side must see the same rows, or the comparison is meaningless.
        if (seen.size !== 1) throw new Error(`${name}: the sides returned different row counts (${[...seen].join(', ')})`);
      }
      const [w, p, s] = [summarise(samples.without), summarise(samples.with), summarise(samples.settings)];
      results[name] = {
        without: w,
        with: p,
        settings: s,
        ratioP50: round(p.p50Ms / w.p50Ms, 3),
        ratioP95: round(p.p95Ms / w.p95Ms, 3),
        policiesOnlyRatioP50: round(p.p50Ms / s.p50Ms, 3),
        rowsPerCall,
      };
      console.error(`[bench rls] ${name}: p50 without ${w.p50Ms} ms, with ${p.p50Ms} ms (x${results[name].ratioP50}), settings only ${s.p50Ms} ms`);
    }
    const worst = Math.max(...Object.values(results).map((r) => r.ratioP50));
    return {
      documents: TOTAL_DOCUMENTS,
      tenants: TENANTS,
      measuredTenantDocuments: counts[0],
      blocks: TOTAL_DOCUMENTS * BLOCKS_PER_DOCUMENT,
      atoms: TOTAL_DOCUMENTS * ATOMS_PER_DOCUMENT,
      generateS,
      rounds: ROUNDS,
      warmupRounds: WARMUP_ROUNDS,
      queries: results,
      worstRatioP50: worst,
      targetRatio: TARGET_RATIO,
      pass: worst <= TARGET_RATIO,
    };
  } finally {
    await db.close();
    await database.drop();
    unregister();
  }
}
