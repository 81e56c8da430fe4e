/**
 * The checks the Deno and Bun smoke tests run against the edge handler served by their
 * host entry (edge/deno.ts, edge/bun.ts): health, the host in /info, a P2WPKH and a P2TR
 * script-path spend allowed, a truncated transaction 400, a stateful endpoint 501, a
 * request over the signature-check budget 413.
 */
import assert from 'node:assert/strict';
import { DEFAULT_SIG_CHECK_BUDGET } from '../../edge/app.ts';
import { manyCheckSigSpend, spends, taprootScriptPathSpend } from './edge-fixtures.ts';

const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

export async function edgeSmoke(url: string, host: string): Promise<void> {
  assert.deepEqual(await (await fetch(`${url}/health`)).json(), { status: 'ok' });
  const info = await (await fetch(`${url}/info`)).json() as Record<string, unknown>;
  assert.equal(info.runtime, host);
  assert.equal(info.mode, 'stateless');
  for (const body of [spends('p2wpkh', 1)[0]!, taprootScriptPathSpend()]) {
    const r = await (await fetch(`${url}/validate`, json(body))).json() as { allowed: boolean };
    assert.equal(r.allowed, true, JSON.stringify(r));
  }
  const bad = await fetch(`${url}/validate`, { method: 'POST', body: '0200000001', headers: { 'content-type': 'text/plain' } });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: { message: string } }).error.message, /truncated/);
  const tx = await fetch(`${url}/tx`, { method: 'POST', body: '00', headers: { 'content-type': 'text/plain' } });
  assert.equal(tx.status, 501);
  await tx.body?.cancel();
  const over = await fetch(`${url}/validate`, json(manyCheckSigSpend(DEFAULT_SIG_CHECK_BUDGET + 1)));
  assert.equal(over.status, 413);
  assert.equal(((await over.json()) as { error: { code: string } }).error.code, 'over-budget');
}
