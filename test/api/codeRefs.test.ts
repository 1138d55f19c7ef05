/** Developers link the code that implements a rule; every persona sees it; readers cannot. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../support/collab';
import { params, request, sessionCookie } from '../support/http';
import { signUp } from '../../server/auth/accounts';
import type { Persona } from '../../server/db/tenant';
import * as codeRefsRoute from '../../app/api/molecules/[id]/code-refs/route';
import * as knowledgeRoute from '../../app/api/documents/[id]/knowledge/route';

describe('code references of rules', () => {
  let server: TestServer;
  let moleculeId: string;
  let documentId: string;
  const cookies = {} as Record<Persona, string>;

  /** A member of the local tenant with this persona, signed in. */
  async function member(persona: Persona): Promise<string> {
    const { db, local } = server.services;
    const account = await signUp(db, { email: `${persona}-${randomUUID()}@example.test`, name: persona, password: 'correct horse battery' });
    await db.query(`INSERT INTO users (tenant_id, account_id, email, name, persona) VALUES ($1, $2, $3, $4, $5)`, [
      local.tenant.id, account.id, account.email, account.name, persona,
    ]);
    return sessionCookie(server.services, account.id, local.tenant.id);
  }

  before(async () => {
    server = await startTestServer();
    const { db, local } = server.services;
    documentId = await server.createDocument('Quebec withholding');
    moleculeId = (
      await db.query<{ id: string }>(
        `INSERT INTO molecule_metadata (tenant_id, molecule_type, atom_ids, configuration, name) VALUES ($1, 'ConditionMolecule', '{}', '{"ruleType":"condition"}', 'Quebec rate') RETURNING id`,
        [local.tenant.id],
      )
    ).rows[0].id;
    await db.query(
      `INSERT INTO annotations (tenant_id, document_id, start_offset, end_offset, knowledge_type, knowledge_id) VALUES ($1, $2, 0, 5, 'molecule', $3)`,
      [local.tenant.id, documentId, moleculeId],
    );
    cookies.domain_expert = server.cookie;
    cookies.developer = await member('developer');
    cookies.product_owner = await member('product_owner');
  });
  after(() => server.close());

  const add = (cookie: string, ref: string, id = moleculeId) =>
    codeRefsRoute.POST(request(`/api/molecules/${id}/code-refs`, { method: 'POST', body: { ref }, cookie }), params({ id }));
  const refsSeenBy = async (cookie: string) => {
    const response = await knowledgeRoute.GET(request(`/api/documents/${documentId}/knowledge`, { cookie }), params({ id: documentId }));
    return (await response.json()).molecules.find((m: { id: string }) => m.id === moleculeId).codeRefs;
  };

  it('a developer links code; every persona sees it with the rule', async () => {
    const response = await add(cookies.developer, 'src/tax/quebec.ts:42');
    assert.equal(response.status, 201);
    assert.deepEqual((await response.json()).codeRefs, ['src/tax/quebec.ts:42']);
    for (const persona of ['domain_expert', 'developer', 'product_owner'] as const) {
      assert.deepEqual(await refsSeenBy(cookies[persona]), ['src/tax/quebec.ts:42'], `${persona} sees the reference`);
    }
  });

  it('a product owner cannot link code (403) and nothing changes', async () => {
    const response = await add(cookies.product_owner, 'src/evil.ts');
    assert.equal(response.status, 403);
    assert.match((await response.json()).error.message, /developers and domain experts/);
    assert.deepEqual(await refsSeenBy(cookies.developer), ['src/tax/quebec.ts:42']);
  });

  it('a developer removes a reference', async () => {
    await add(cookies.developer, 'https://git.example/tax/-/blob/main/rates.ts');
    const response = await codeRefsRoute.DELETE(
      request(`/api/molecules/${moleculeId}/code-refs`, { method: 'DELETE', body: { ref: 'src/tax/quebec.ts:42' }, cookie: cookies.developer }),
      params({ id: moleculeId }),
    );
    assert.equal(response.status, 200);
    assert.deepEqual(await refsSeenBy(cookies.domain_expert), ['https://git.example/tax/-/blob/main/rates.ts']);
  });

  it('an unknown rule is 404 and a multi-line reference is 400', async () => {
    assert.equal((await add(cookies.developer, 'x.ts', randomUUID())).status, 404);
    assert.equal((await add(cookies.developer, 'x.ts\nDROP TABLE atoms')).status, 400);
  });
});
