/**
 * Graph benchmark (issue: graph sync at scale). One tenant in a fresh PostgreSQL database with
 * 100,000 atoms, 20,000 molecules, 2,000 documents (5 blocks each) in 10 domains, generated in
 * SQL (generate_series), then:
 *   bulkSync   every entity in graph_outbox (in the app's order: domains, documents, blocks, then per
 *              document its atoms and its molecules), drained by the real GraphSync into Neo4j;
 *              measured on the second such sync: the first (reported as firstBulkSync) warms
 *              the JVM up and is then removed from Neo4j again (BENCH_GRAPH_WARMUP=0 skips it);
 *              (nodes + relationships) / s, counts read back from Neo4j;
 *   lag        with the worker running (as server/start.ts runs it), single atoms changed one at a
 *              time (UPDATE + recordChange in one transaction), COMMIT -> the new value readable in
 *              Neo4j (polled); once with a bus event after COMMIT waking the worker, once poll-only;
 *   impact     store.impact(depth 1, 3, 5) for random atoms on Neo4j and on the PostgreSQL store,
 *              the latter filled by the same GraphSync from a re-queued outbox (sync_state cleared,
 *              so it takes the same first-sync path).
 * BENCH_GRAPH_SCALE scales the documents (and with them everything else). It defaults to 0.25
 * (25,000 atoms, 5,000 molecules, 500 documents) so that `npm run bench` stays within its 15 min
 * budget on the shared 2-core machine; BENCH_GRAPH_SCALE=1 runs the full size (set
 * BENCH_TIMEOUT_S=1800 there: the full run took ~10 min, mostly the Neo4j sync and its cleanup).
 * Neo4j: NEO4J_URI / TEST_NEO4J_URI, default bolt://127.0.0.1:7687; only this run's fresh tenant is
 * written and it is deleted at the end.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { inProcessBus } from '../server/bus';
import { openPostgres, type Database } from '../server/db/client';
import { migrate } from '../server/db/migrate';
import { recordChange } from '../server/db/repos/graphOutbox';
import { createTenant } from '../server/db/repos/tenants';
import { openGraphStore } from '../server/graph/open';
import { createPgGraphStore } from '../server/graph/pgStore';
import { GraphSync } from '../server/graph/sync';
import { GraphTimeoutError, type GraphStore } from '../server/graph/types';
import { createBenchDatabase } from './support/benchDatabase';
import { onInterrupt } from './support/cleanup';
import { round } from './support/stats';

const SCALE = Number(process.env.BENCH_GRAPH_SCALE ?? 0.25);
const DOCUMENTS = Math.max(10, Math.round(2000 * SCALE));
const DOMAINS = 10;
const BLOCKS_PER_DOCUMENT = 5;
const ATOMS_PER_DOCUMENT = 50;
const MOLECULES_PER_DOCUMENT = 10;
/** Every SHARED_EVERY-th atom shares its canonical value with 4 atoms of other documents (RELATED_TO). */
const SHARED_EVERY = 40;
const SHARED_GROUP = 5;
/** Every REQUIRES_EVERY-th molecule is a RequiresMolecule whose condition atom is in the previous document. */
const REQUIRES_EVERY = 10;
/** Every CONDITIONS_EVERY-th molecule (offset 1) has conditions/results; pairs of them conflict. */
const CONDITIONS_EVERY = 100;
/** Outbox ids start here so that they all have the same number of digits (see enqueueAll). */
const OUTBOX_ID_BASE = 1_000_000_000_000;
const LAG_CHANGES = Number(process.env.BENCH_GRAPH_LAG_CHANGES ?? 60);
const LAG_POLL_ONLY_CHANGES = Number(process.env.BENCH_GRAPH_LAG_POLL_ONLY ?? 20);
const LAG_PACE_MS = 150;
const LAG_TIMEOUT_MS = 15_000;
const IMPACT_ATOMS = Number(process.env.BENCH_GRAPH_IMPACT_ATOMS ?? 50);
const IMPACT_DEPTHS = [1, 3, 5];
const IMPACT_TIMEOUT_MS = 2000;
/** The PostgreSQL graph store is filled only up to this many seconds of sync; impact atoms are then taken from what it holds. */
const PG_SYNC_BUDGET_S = Number(process.env.BENCH_GRAPH_PG_SYNC_BUDGET_S ?? 150);
/** A first full sync before the measured one, for Neo4j's JIT (full size: 60.6 s cold against 45.5-47.8 s warm). */
const WARMUP = process.env.BENCH_GRAPH_WARMUP !== '0';

const NEO4J = {
  NEO4J_URI: process.env.NEO4J_URI ?? process.env.TEST_NEO4J_URI ?? 'bolt://127.0.0.1:7687',
  NEO4J_USER: process.env.NEO4J_USER ?? 'neo4j',
  NEO4J_PASSWORD: process.env.NEO4J_PASSWORD ?? 'neo4j-password',
};

const TARGETS = { bulkNodesAndRelationshipsPerS: 10_000, lagP95MaxMs: 1000, neo4jImpactDepth3P95MaxMs: 20 };

interface Percentiles {
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  samples: number;
}

function percentiles(samples: number[]): Percentiles {
  if (samples.length === 0) return { p50Ms: NaN, p95Ms: NaN, maxMs: NaN, samples: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]);
  return { p50Ms: at(0.5), p95Ms: at(0.95), maxMs: round(sorted[sorted.length - 1]), samples: sorted.length };
}

const log = (message: string) => console.error(`[bench:graph] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runGraphSuite(): Promise<object> {
  const started = performance.now();
  const database = await createBenchDatabase();
  const db = openPostgres(database.url);
  let neo4j: GraphStore | null = null;
  let tenantId: string | null = null;
  const cleanup = async () => {
    if (neo4j && tenantId) {
      log('deleting the tenant from Neo4j');
      await neo4j.clearTenant(tenantId).catch((error: unknown) => log(`Neo4j cleanup failed: ${String(error)}`));
    }
    await neo4j?.close().catch(() => {});
    neo4j = null;
    await db.close().catch(() => {});
    await database.drop().catch((error: unknown) => log(`dropping the database failed: ${String(error)}`));
  };
  const unregister = onInterrupt(cleanup);
  try {
    await migrate(db);
    tenantId = (await createTenant(db, 'Graph bench', `graph-bench-${randomBytes(5).toString('hex')}`)).id;
    neo4j = await openGraphStore(NEO4J, db);

    log(`generating ${DOCUMENTS} documents, ${DOCUMENTS * ATOMS_PER_DOCUMENT} atoms, ${DOCUMENTS * MOLECULES_PER_DOCUMENT} molecules`);
    const generateStarted = performance.now();
    const sizes = await generate(db, tenantId);
    const generateS = round((performance.now() - generateStarted) / 1000, 1);
    log(`generated in ${generateS} s: ${JSON.stringify(sizes)}`);

    let firstBulkSync = null;
    if (WARMUP) {
      firstBulkSync = await bulkSync(db, neo4j, tenantId, 'neo4j (first sync, warming up)');
      log('removing the first sync from Neo4j');
      await neo4j.clearTenant(tenantId);
      await db.query('DELETE FROM sync_state WHERE tenant_id = $1', [tenantId]);
    }
    const bulk = await bulkSync(db, neo4j, tenantId, 'neo4j');
    const lag = await measureLag(db, neo4j, tenantId);

    // The PostgreSQL store: the same data through the same sync, from a fresh first-sync state.
    const pgStore = createPgGraphStore(db);
    await db.query('DELETE FROM sync_state WHERE tenant_id = $1', [tenantId]);
    const pgBulk = await bulkSync(db, pgStore, tenantId, 'postgres', PG_SYNC_BUDGET_S);
    await db.query('DELETE FROM graph_outbox WHERE tenant_id = $1', [tenantId]);
    await db.query('ANALYZE graph_nodes; ANALYZE graph_edges');

    const impact = await measureImpact(db, neo4j, pgStore, tenantId, pgBulk.complete);

    const throughput = bulk.nodesAndRelationshipsPerS;
    const depth3 = impact.neo4j['3']?.p95Ms ?? NaN;
    const result = {
      scale: SCALE,
      sizes: { ...sizes, generateS },
      bulkSync: bulk,
      firstBulkSync,
      lag,
      impact,
      postgresGraphSync: pgBulk,
      targets: {
        bulkThroughput: { targetPerS: TARGETS.bulkNodesAndRelationshipsPerS, measuredPerS: throughput, pass: throughput >= TARGETS.bulkNodesAndRelationshipsPerS },
        lagP95: { targetMaxMs: TARGETS.lagP95MaxMs, measuredMs: lag.busWakeUp.p95Ms, pass: lag.busWakeUp.p95Ms <= TARGETS.lagP95MaxMs && lag.busWakeUp.missing === 0,
          pollOnlyMeasuredMs: lag.pollOnly.p95Ms, pollOnlyPass: lag.pollOnly.p95Ms <= TARGETS.lagP95MaxMs && lag.pollOnly.missing === 0 },
        neo4jImpactDepth3P95: { targetMaxMs: TARGETS.neo4jImpactDepth3P95MaxMs, measuredMs: depth3, pass: depth3 <= TARGETS.neo4jImpactDepth3P95MaxMs },
      },
      wallS: 0,
    };
    result.wallS = round((performance.now() - started) / 1000, 1);
    return result;
  } finally {
    unregister();
    await cleanup();
  }
}

interface Sizes {
  domains: number;
  documents: number;
  blocks: number;
  atoms: number;
  molecules: number;
  requiresMolecules: number;
  moleculesWithConditions: number;
  annotations: number;
  sharedCanonicalAtoms: number;
}

/** Generates the tenant's rows in SQL; bench_* helper tables keep index -> id for the outbox order. */
export async function generate(db: Database, tenantId: string): Promise<Sizes> {
  const documents = DOCUMENTS;
  const atoms = documents * ATOMS_PER_DOCUMENT;
  const molecules = documents * MOLECULES_PER_DOCUMENT;
  const groups = Math.max(1, Math.floor(atoms / SHARED_EVERY / SHARED_GROUP));
  const statements = [
    `CREATE TABLE bench_domain AS SELECT i, gen_random_uuid() AS id FROM generate_series(0, ${DOMAINS - 1}) i`,
    `INSERT INTO domains (id, tenant_id, name, path, description)
       SELECT id, $1, 'Domain ' || i, '/domain-' || i, 'generated' FROM bench_domain`,
    `CREATE TABLE bench_doc AS SELECT i, gen_random_uuid() AS id FROM generate_series(0, ${documents - 1}) i`,
    `INSERT INTO documents (id, tenant_id, domain_id, title)
       SELECT d.id, $1, dm.id, 'Document ' || d.i FROM bench_doc d JOIN bench_domain dm ON dm.i = d.i % ${DOMAINS}`,
    `CREATE TABLE bench_block AS SELECT d.i AS doc, p AS pos, d.id AS doc_id, gen_random_uuid() AS id
       FROM bench_doc d, generate_series(0, ${BLOCKS_PER_DOCUMENT - 1}) p`,
    `INSERT INTO blocks (id, tenant_id, document_id, position, block_type, content)
       SELECT id, $1, doc_id, pos, 'paragraph', '{"rich_text":[{"text":"generated"}]}'::jsonb FROM bench_block`,
    `CREATE TABLE bench_atom AS SELECT i, i / ${ATOMS_PER_DOCUMENT} AS doc, gen_random_uuid() AS id FROM generate_series(0, ${atoms - 1}) i`,
    `CREATE UNIQUE INDEX ON bench_atom (i)`,
    // Shared canonical values: atoms SHARED_EVERY apart in index, groups spread over distant documents.
    `INSERT INTO atoms (id, tenant_id, domain_id, atom_type, kind, text_value, canonical, confidence, source)
       SELECT a.id, $1, dm.id, 'TextAtom', 'slot', 'value ' || a.i,
              CASE WHEN a.i % ${SHARED_EVERY} = 0 THEN 'shared-' || ((a.i / ${SHARED_EVERY}) % ${groups}) ELSE 'c-' || a.i END,
              0.9, 'ai_extracted'
         FROM bench_atom a JOIN bench_domain dm ON dm.i = a.doc % ${DOMAINS}`,
    `INSERT INTO annotations (tenant_id, document_id, block_id, start_offset, end_offset, quote, knowledge_type, knowledge_id,
                              layer, confidence, source, status)
       SELECT $1, b.doc_id, b.id, (a.i % ${ATOMS_PER_DOCUMENT}) * 12, (a.i % ${ATOMS_PER_DOCUMENT}) * 12 + 10, 'value ' || a.i,
              'atom', a.id, 'atom', 0.9, 'ai_extracted', 'anchored'
         FROM bench_atom a JOIN bench_block b ON b.doc = a.doc AND b.pos = a.i % ${BLOCKS_PER_DOCUMENT}`,
    `CREATE TABLE bench_mol AS SELECT j, j / ${MOLECULES_PER_DOCUMENT} AS doc, gen_random_uuid() AS id, 3 + j % 4 AS n
       FROM generate_series(0, ${molecules - 1}) j`,
    // 3-6 atoms of the molecule's own document; a RequiresMolecule's condition atom is in the previous document.
    `CREATE TABLE bench_role AS
       SELECT m.j, r,
              (CASE WHEN m.j % ${REQUIRES_EVERY} = 0 AND r = 0 AND m.doc > 0 THEN m.doc - 1 ELSE m.doc END) * ${ATOMS_PER_DOCUMENT}
                + ((m.j % ${MOLECULES_PER_DOCUMENT}) * 5 + r) % ${ATOMS_PER_DOCUMENT} AS atom_i,
              CASE WHEN r = 0 THEN 'condition' ELSE 'result' END AS role
         FROM bench_mol m, generate_series(0, 5) r WHERE r < m.n`,
    `INSERT INTO molecule_metadata (id, tenant_id, domain_id, molecule_type, atom_ids, atom_roles, configuration,
                                    enforcement_level, name, confidence, source)
       SELECT m.id, $1, dm.id,
              CASE WHEN m.j % ${REQUIRES_EVERY} = 0 THEN 'RequiresMolecule' ELSE 'ConstraintMolecule' END,
              array_agg(a.id ORDER BY r.r),
              jsonb_agg(jsonb_build_object('atomId', a.id, 'role', r.role, 'order', r.r) ORDER BY r.r),
              CASE WHEN m.j % ${CONDITIONS_EVERY} = 1
                THEN jsonb_build_object('ruleType', 'rate',
                       'conditions', jsonb_build_array(jsonb_build_object('field', 'province', 'op', 'eq', 'value', 'P' || (m.j / ${CONDITIONS_EVERY * 2}))),
                       'results', jsonb_build_array(jsonb_build_object('field', 'rate', 'op', 'eq', 'value', m.j)))
                ELSE jsonb_build_object('ruleType', 'generated') END,
              CASE WHEN m.j % 3 = 0 THEN 'block' ELSE 'warn' END, 'Molecule ' || m.j, 0.8, 'ai_extracted'
         FROM bench_mol m JOIN bench_role r ON r.j = m.j JOIN bench_atom a ON a.i = r.atom_i
              JOIN bench_domain dm ON dm.i = m.doc % ${DOMAINS}
        GROUP BY m.id, m.j, dm.id`,
    `INSERT INTO annotations (tenant_id, document_id, block_id, start_offset, end_offset, quote, knowledge_type, knowledge_id,
                              layer, confidence, source, status)
       SELECT $1, b.doc_id, b.id, 0, 40, 'molecule ' || m.j, 'molecule', m.id, 'molecule', 0.8, 'ai_extracted', 'anchored'
         FROM bench_mol m JOIN bench_block b ON b.doc = m.doc AND b.pos = m.j % ${BLOCKS_PER_DOCUMENT}`,
    // As autovacuum would after such a bulk load: also merges the GIN pending list of molecule_metadata.atom_ids,
    // which otherwise every PART_OF lookup scans in full (2 s per query at 20,000 molecules).
    'VACUUM ANALYZE',
  ];
  for (const statement of statements) await db.query(statement, statement.includes('$1') ? [tenantId] : []);
  const count = async (sql: string) => (await db.query<{ n: number }>(sql, [tenantId])).rows[0].n;
  return {
    domains: await count('SELECT count(*)::int AS n FROM domains WHERE tenant_id = $1'),
    documents: await count('SELECT count(*)::int AS n FROM documents WHERE tenant_id = $1'),
    blocks: await count('SELECT count(*)::int AS n FROM blocks WHERE tenant_id = $1'),
    atoms: await count('SELECT count(*)::int AS n FROM atoms WHERE tenant_id = $1'),
    molecules: await count('SELECT count(*)::int AS n FROM molecule_metadata WHERE tenant_id = $1'),
    requiresMolecules: await count(`SELECT count(*)::int AS n FROM molecule_metadata WHERE tenant_id = $1 AND molecule_type = 'RequiresMolecule'`),
    moleculesWithConditions: await count(`SELECT count(*)::int AS n FROM molecule_metadata WHERE tenant_id = $1 AND configuration ? 'conditions'`),
    annotations: await count('SELECT count(*)::int AS n FROM annotations WHERE tenant_id = $1'),
    sharedCanonicalAtoms: await count(`SELECT count(*)::int AS n FROM atoms WHERE tenant_id = $1 AND canonical LIKE 'shared-%'`),
  };
}

/** Every entity into the outbox, in the order the app writes them (a document's atoms before its molecules). */
export async function enqueueAll(db: Database, tenantId: string): Promise<number> {
  // Explicit ids in that order (nextval in an INSERT ... SELECT ... ORDER BY does not follow the sort), all
  // with 13 digits: GraphSync's `ORDER BY id` sorts its `id::text AS id` column, i.e. as text, so with ids
  // of different lengths it would drain the outbox out of order (see the report) - equal lengths avoid it.
  const { rows: [{ base }] } = await db.query<{ base: string }>(
    `SELECT GREATEST(COALESCE(max(id), 0), ${OUTBOX_ID_BASE})::text AS base FROM graph_outbox`);
  const { rowCount } = await db.query(
    `INSERT INTO graph_outbox (id, tenant_id, entity_type, entity_id)
     SELECT $2::bigint + row_number() OVER (ORDER BY s.grp, s.doc, s.k, s.ord), $1, s.t, s.id FROM (
       SELECT 0 AS grp, 0 AS doc, 0 AS k, i AS ord, 'domain' AS t, id FROM bench_domain
       UNION ALL SELECT 1, i, 0, 0, 'document', id FROM bench_doc
       UNION ALL SELECT 2, doc, 0, pos, 'block', id FROM bench_block
       UNION ALL SELECT 3, doc, 0, i, 'atom', id FROM bench_atom
       UNION ALL SELECT 3, doc, 1, j, 'molecule', id FROM bench_mol) s`,
    [tenantId, base],
  );
  await db.query(`SELECT setval('graph_outbox_id_seq', (SELECT max(id) FROM graph_outbox))`);
  return rowCount;
}

/** Drains the whole outbox through GraphSync (default batch size), stopping after budgetS if given. */
async function bulkSync(db: Database, graph: GraphStore, tenantId: string, kind: string, budgetS = Infinity) {
  const entities = await enqueueAll(db, tenantId);
  log(`${kind}: syncing ${entities} outbox rows`);
  const sync = new GraphSync({ db, graph });
  const started = performance.now();
  let consumed = 0;
  let lastLog = started;
  let complete = true;
  for (;;) {
    const done = await sync.syncBatch();
    if (done === 0) break;
    consumed += done;
    const now = performance.now();
    if (now - lastLog > 10_000) {
      lastLog = now;
      log(`${kind}: ${consumed}/${entities} rows in ${round((now - started) / 1000, 1)} s`);
    }
    if ((now - started) / 1000 > budgetS) {
      complete = false;
      log(`${kind}: stopping after the ${budgetS} s budget`);
      break;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const counts = await graph.counts(tenantId, { timeoutMs: 60_000 });
  const nodes = Object.values(counts.nodes).reduce((a, b) => a + b, 0);
  const relationships = Object.values(counts.edges).reduce((a, b) => a + b, 0);
  const result = {
    store: kind,
    complete,
    outboxRows: entities,
    outboxRowsSynced: consumed,
    seconds: round(seconds, 1),
    nodes,
    relationships,
    nodesByLabel: counts.nodes,
    relationshipsByType: counts.edges,
    nodesAndRelationshipsPerS: Math.round((nodes + relationships) / seconds),
    outboxRowsPerS: Math.round(consumed / seconds),
  };
  log(`${kind}: ${nodes} nodes + ${relationships} relationships in ${result.seconds} s = ${result.nodesAndRelationshipsPerS}/s`);
  return result;
}

async function randomAtoms(db: Database, tenantId: string, n: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM atoms WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY random() LIMIT $2', [tenantId, n]);
  return rows.map((row) => row.id);
}

/** COMMIT -> the new value readable in Neo4j, with the worker running as the server runs it. */
async function measureLag(db: Database, neo4j: GraphStore, tenantId: string) {
  const bus = inProcessBus();
  const sync = new GraphSync({ db, graph: neo4j, bus });
  sync.start();
  try {
    const atoms = await randomAtoms(db, tenantId, LAG_CHANGES + LAG_POLL_ONLY_CHANGES);
    const busWakeUp = await lagRun(db, neo4j, tenantId, atoms.slice(0, LAG_CHANGES), async () => {
      await bus.publish({ type: 'knowledge.changed', tenantId, documentId: '00000000-0000-0000-0000-000000000000', status: 'idle' });
    });
    const pollOnly = await lagRun(db, neo4j, tenantId, atoms.slice(LAG_CHANGES), async () => {});
    return { pacingMs: LAG_PACE_MS, busWakeUp, pollOnly };
  } finally {
    await sync.stop();
    await bus.close();
  }
}

async function lagRun(db: Database, neo4j: GraphStore, tenantId: string, atoms: string[], afterCommit: () => Promise<void>) {
  const samples: number[] = [];
  let missing = 0;
  for (const [i, atomId] of atoms.entries()) {
    const value = `changed ${i} ${randomBytes(3).toString('hex')}`;
    await db.tx(async (tx) => {
      await tx.query(
        `UPDATE atoms SET text_value = $3, version = version + 1, updated_at = NOW() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, atomId, value],
      );
      await recordChange(tx, tenantId, 'atom', [atomId]);
    });
    const committed = performance.now();
    await afterCommit();
    let seen = false;
    while (performance.now() - committed < LAG_TIMEOUT_MS) {
      const node = await neo4j.node(tenantId, atomId);
      if (node?.props.value === value) {
        seen = true;
        break;
      }
      await sleep(2);
    }
    if (seen) samples.push(performance.now() - committed);
    else missing++;
    await sleep(LAG_PACE_MS);
  }
  const result = { ...percentiles(samples), missing };
  log(`lag: ${JSON.stringify(result)}`);
  return result;
}

interface ImpactCell extends Percentiles {
  resultSize: { mean: number; max: number };
  timeouts: number;
  errors: number;
}

async function impactRun(store: GraphStore, tenantId: string, atoms: string[], depth: number): Promise<ImpactCell> {
  const samples: number[] = [];
  const sizes: number[] = [];
  let timeouts = 0;
  let errors = 0;
  // Warm-up (query plans, caches) outside the samples.
  for (const atomId of atoms.slice(0, 3)) await store.impact(tenantId, atomId, depth, { timeoutMs: IMPACT_TIMEOUT_MS }).catch(() => []);
  for (const atomId of atoms) {
    const started = performance.now();
    try {
      const reached = await store.impact(tenantId, atomId, depth, { timeoutMs: IMPACT_TIMEOUT_MS });
      samples.push(performance.now() - started);
      sizes.push(reached.length);
    } catch (error) {
      if (error instanceof GraphTimeoutError) timeouts++;
      else errors++;
    }
  }
  return {
    ...percentiles(samples),
    resultSize: { mean: sizes.length ? round(sizes.reduce((a, b) => a + b, 0) / sizes.length, 1) : NaN, max: sizes.length ? Math.max(...sizes) : NaN },
    timeouts,
    errors,
  };
}

async function measureImpact(db: Database, neo4j: GraphStore, pg: GraphStore, tenantId: string, pgComplete: boolean) {
  // Atoms both stores hold (all of them unless the PostgreSQL sync was cut short).
  const { rows } = await db.query<{ id: string }>(
    `SELECT n.id FROM graph_nodes n WHERE n.tenant_id = $1 AND n.label = 'Atom' ORDER BY random() LIMIT $2`,
    [tenantId, IMPACT_ATOMS],
  );
  const atoms = rows.map((row) => row.id);
  const neo4jCells: Record<string, ImpactCell> = {};
  const pgCells: Record<string, ImpactCell> = {};
  for (const depth of IMPACT_DEPTHS) {
    neo4jCells[String(depth)] = await impactRun(neo4j, tenantId, atoms, depth);
    pgCells[String(depth)] = await impactRun(pg, tenantId, atoms, depth);
    log(`impact depth ${depth}: neo4j ${JSON.stringify(neo4jCells[String(depth)])} postgres ${JSON.stringify(pgCells[String(depth)])}`);
  }
  return { atoms: atoms.length, timeoutMs: IMPACT_TIMEOUT_MS, postgresGraphComplete: pgComplete, neo4j: neo4jCells, postgres: pgCells };
}
