import { z } from 'zod';
import { json, parseBody, parseParam, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity, requirePersona, tenantTx, type RequestIdentity } from '@/server/http/identity';
import type { Sql } from '@/server/db/client';

export const dynamic = 'force-dynamic';

const RefBody = z.strictObject({
  ref: z
    .string()
    .trim()
    .min(1, 'enter a file path, symbol or URL')
    .max(500, 'a code reference has at most 500 characters')
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'a code reference is one line of printable text'),
});
const moleculeNotFound = () => NotFoundError('This rule does not exist.');
type Context = { params: Promise<{ id: string }> };

async function refs(tx: Sql, tenantId: string, moleculeId: string): Promise<string[]> {
  const { rows } = await tx.query<{ ref: string }>(
    'SELECT ref FROM molecule_code_refs WHERE tenant_id = $1 AND molecule_id = $2 ORDER BY created_at, ref',
    [tenantId, moleculeId],
  );
  return rows.map((r) => r.ref);
}

/** Runs fn for a live molecule of the caller's tenant, or 404. */
async function withMolecule<T>(identity: RequestIdentity, id: string, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return tenantTx(identity, async (tx) => {
    const { rows } = await tx.query('SELECT 1 FROM molecule_metadata WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL', [identity.tenantId, id]);
    if (rows.length === 0) throw moleculeNotFound();
    return fn(tx);
  });
}

/** Developers (and domain experts) link the code that implements a rule. */
export const POST = route(async (request: Request, context: Context) => {
  const id = parseParam((await context.params).id, z.uuid(), moleculeNotFound);
  const { ref } = await parseBody(request, RefBody);
  const identity = await requestIdentity(request);
  requirePersona(identity, 'developer', 'domain_expert');
  const codeRefs = await withMolecule(identity, id, async (tx) => {
    await tx.query(
      `INSERT INTO molecule_code_refs (tenant_id, molecule_id, ref, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [identity.tenantId, id, ref, identity.userId],
    );
    return refs(tx, identity.tenantId, id);
  });
  return json({ codeRefs }, 201);
});

export const DELETE = route(async (request: Request, context: Context) => {
  const id = parseParam((await context.params).id, z.uuid(), moleculeNotFound);
  const { ref } = await parseBody(request, RefBody);
  const identity = await requestIdentity(request);
  requirePersona(identity, 'developer', 'domain_expert');
  const codeRefs = await withMolecule(identity, id, async (tx) => {
    await tx.query('DELETE FROM molecule_code_refs WHERE tenant_id = $1 AND molecule_id = $2 AND ref = $3', [identity.tenantId, id, ref]);
    return refs(tx, identity.tenantId, id);
  });
  return json({ codeRefs });
});
