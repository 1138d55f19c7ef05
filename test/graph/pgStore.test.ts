import { randomBytes } from 'node:crypto';
import { createTenant } from '../../server/db/repos/tenants';
import { createPgGraphStore } from '../../server/graph/pgStore';
import { openTestDatabase, testDbKind } from '../support/db';
import { graphStoreContract } from './contract';

graphStoreContract(`PostgreSQL tables (${testDbKind()})`, async () => {
  const { db, dispose } = await openTestDatabase();
  const suffix = randomBytes(4).toString('hex');
  const tenantA = await createTenant(db, 'Tenant A', `graph-a-${suffix}`);
  const tenantB = await createTenant(db, 'Tenant B', `graph-b-${suffix}`);
  const store = createPgGraphStore(db);
  return {
    store,
    tenantA: tenantA.id,
    tenantB: tenantB.id,
    async cleanup() {
      await store.close();
      await dispose();
    },
  };
});
