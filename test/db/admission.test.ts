import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AdmissionGate, DatabaseBusyError } from '../../server/db/admission';
import { openPglite } from '../../server/db/client';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('PGlite admission: requests before background work', () => {
  it('a waiting request runs before queued background units, and background still gets in after a streak', async () => {
    const gate = new AdmissionGate();
    const order: string[] = [];
    let release = () => {};
    const running = gate.run('background', () => new Promise<void>((resolve) => (release = resolve)));
    const units = [
      ...Array.from({ length: 3 }, (_, i) => gate.run('idle', async () => void order.push(`graph${i}`))),
      ...Array.from({ length: 3 }, (_, i) => gate.run('background', async () => void order.push(`extract${i}`))),
      ...Array.from({ length: 10 }, (_, i) => gate.run('normal', async () => void order.push(`request${i}`))),
    ];
    await tick();
    release();
    await Promise.all([running, ...units]);
    // Requests first; after 8 in a row a waiting lower unit gets one turn; graph sync last.
    assert.deepEqual(order.slice(0, 8), Array.from({ length: 8 }, (_, i) => `request${i}`));
    assert.equal(order[8], 'extract0');
    assert.deepEqual(order.slice(9, 11), ['request8', 'request9']);
    assert.deepEqual(order.slice(-3), ['graph0', 'graph1', 'graph2']);
  });

  it('a request that waits past its limit is refused with DatabaseBusyError, and the gate goes on', async () => {
    const gate = new AdmissionGate();
    let release = () => {};
    const running = gate.run('background', () => new Promise<void>((resolve) => (release = resolve)));
    await assert.rejects(gate.run('normal', async () => 'late', 50), (error: unknown) => error instanceof DatabaseBusyError && /busy/.test(error.message));
    release();
    await running;
    assert.equal(await gate.run('normal', async () => 'next', 50), 'next');
  });

  it('on PGlite, a query waits for a long background transaction only up to the limit', async () => {
    const db = await openPglite(undefined, { waitLimitMs: 200 });
    try {
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const job = db.background().tx(async (tx) => {
        await tx.query('SELECT 1');
        await held;
      });
      await tick();
      await assert.rejects(db.query('SELECT 1'), { name: 'DatabaseBusyError' });
      release();
      await job;
      assert.equal((await db.query<{ n: number }>('SELECT 2 AS n')).rows[0].n, 2);
    } finally {
      await db.close();
    }
  });
});
