/**
 * Graph maintenance: `npx tsx scripts/graph.ts reconcile|rebuild [--tenant id]` (npm run graph).
 * reconcile compares PostgreSQL and the graph store (node by node, edge by edge) and repairs
 * drift; rebuild clears the tenant's graph and re-syncs everything. Without --tenant: every tenant.
 * Uses DATABASE_URL / NEO4J_URI like the server; the outbox is drained before it exits.
 */
import { openDatabase } from '../server/db/client';
import { migrate } from '../server/db/migrate';
import { loadConfig } from '../server/config';
import { openGraphStore } from '../server/graph/open';
import { reconcile, rebuild } from '../server/graph/reconcile';
import { GraphSync } from '../server/graph/sync';

const [command, ...rest] = process.argv.slice(2);
const tenantFlag = rest.indexOf('--tenant');
const onlyTenant = tenantFlag >= 0 ? rest[tenantFlag + 1] : undefined;
if ((command !== 'reconcile' && command !== 'rebuild') || (tenantFlag >= 0 && !onlyTenant)) {
  process.stderr.write('usage: tsx scripts/graph.ts reconcile|rebuild [--tenant <id>]\n');
  process.exit(2);
}

const config = loadConfig();
const db = await openDatabase(config);
try {
  await migrate(db);
  const graph = await openGraphStore(config, db);
  try {
    const tenants = onlyTenant ? [onlyTenant] : (await db.query<{ id: string }>('SELECT id FROM tenants ORDER BY id')).rows.map((r) => r.id);
    if (tenants.length === 0) process.stdout.write('no tenants\n');
    const sync = new GraphSync({ db, graph });
    for (const tenantId of tenants) {
      if (command === 'rebuild') {
        const enqueued = await rebuild(db, graph, tenantId);
        await sync.drain();
        process.stdout.write(`${tenantId}: rebuilt, ${enqueued} entities synced\n`);
        continue;
      }
      const drift = await reconcile(db, graph, tenantId);
      await sync.drain();
      const summary = (d: typeof drift.nodes) => `${d.postgres} in PostgreSQL, ${d.graph} in the graph; `
        + `${d.missing.length} missing, ${d.different.length} different, ${d.extra.length} extra`;
      process.stdout.write(`${tenantId}: ${drift.inSync ? 'in sync' : 'repaired'} — nodes ${summary(drift.nodes)}; edges ${summary(drift.edges)}\n`);
    }
  } finally {
    await graph.close();
  }
} finally {
  await db.close();
}
