// The dashboard (GET /) in a real headless Chromium (Debian's `chromium`, driven by
// puppeteer-core; .ci/run installs it), against an in-process server seeded with the
// end-to-end regtest chain and a mempool of two dozen transactions. Node-only: puppeteer
// drives the browser over a WebSocket with Node's APIs. Skipped, saying why, when no browser
// is installed (TXGATE_CHROMIUM names another binary).
// TXGATE_SCREENSHOTS=docs saves the four screenshots the README shows; otherwise they go to
// a temporary directory and are only checked to be images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { postBlocks, postRaw, startTestServer, type TestServer } from '../util/server.ts';
import { buildTraffic } from '../util/mempool-traffic.ts';
import { TIP_HEIGHT } from '../e2e/fixture.ts';
import { toHex } from '../../src/primitives/bytes.ts';
import { hash160 } from '../../src/primitives/hash.ts';
import { txidHex, type Transaction } from '../../src/primitives/tx.ts';

const CHROMIUM = process.env.TXGATE_CHROMIUM ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}: apt-get install chromium (or set TXGATE_CHROMIUM) to run the dashboard's browser tests`;
if (skip) console.log(`# ${skip}`);

const LAPTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

async function launch(profile: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`],
  });
}

async function submit(base: string, tx: Transaction): Promise<void> {
  const r = await postRaw<{ accepted?: boolean }>(`${base}/tx`, new Uint8Array(tx.raw), 'application/octet-stream');
  assert.equal(r.status, 200, `POST /tx ${txidHex(tx)}: ${JSON.stringify(r.body)}`);
}

/**
 * The script trace of `tx` (a P2WPKH spend whose witness pubkey is not the output's) in the
 * shape POST /validate?trace=1 gives (src/script/trace.ts InputTrace): the witness program's
 * P2PKH script stops at OP_EQUALVERIFY with the two different hashes on the stack.
 */
function equalVerifyTrace(tx: Transaction, spentScript: Uint8Array): unknown {
  const [sig, pubkey] = tx.inputs[0]!.witness.map(toHex);
  const want = toHex(spentScript.subarray(2));
  const got = toHex(hash160(tx.inputs[0]!.witness[1]!));
  const step = (offset: number, opcode: string, stack: string[]) => ({ offset, opcode, executed: true, stack, altstack: [], conditions: [] });
  return {
    inputs: [{
      input: 0, ok: false, error: 'EQUALVERIFY', message: 'Script failed an OP_EQUALVERIFY operation', flags: 'P2SH,WITNESS',
      spent: { scriptPubKey: toHex(spentScript), amount: 100_000_000 }, steps: 5, bytes: 300,
      phases: [
        { phase: 'scriptSig', sigversion: 'base', script: '', stackBefore: [], steps: [], sigchecks: [], result: 'ok' },
        { phase: 'scriptPubKey', sigversion: 'base', script: toHex(spentScript), stackBefore: [], steps: [step(0, 'OP_0', ['']), step(1, 'OP_PUSHBYTES_20', ['', want])], sigchecks: [], result: 'ok' },
        {
          phase: 'p2wpkh', sigversion: 'witness_v0', script: `76a914${want}88ac`, stackBefore: [sig, pubkey], sigchecks: [], result: 'EQUALVERIFY',
          steps: [step(0, 'OP_DUP', [sig!, pubkey!, pubkey!]), step(1, 'OP_HASH160', [sig!, pubkey!, got]), step(2, 'OP_PUSHBYTES_20', [sig!, pubkey!, got, want])],
          stoppedAt: { offset: 23, opcode: 'OP_EQUALVERIFY' },
        },
      ],
    }],
  };
}

const text = (page: Page, sel: string) => page.$eval(sel, (el) => el.textContent ?? '');

/** Waits until the element's text equals `want`; returns the milliseconds it took. */
async function waitText(page: Page, sel: string, want: string, timeout: number): Promise<number> {
  const t0 = performance.now();
  await page.waitForFunction((s, w) => document.querySelector(s)?.textContent === w, { timeout, polling: 50 }, sel, want)
    .catch(async (e: Error) => {
      throw new Error(`${sel} is ${JSON.stringify(await text(page, sel))}, not ${JSON.stringify(want)} after ${timeout} ms (${e.message})`);
    });
  return performance.now() - t0;
}

/** Relative luminance (0 black … 1 white) of a computed `rgb(r, g, b)` colour. */
function luminance(rgb: string): number {
  const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
  return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
}

test('the dashboard in headless Chromium', { skip, timeout: 180_000 }, async (t) => {
  const traffic = buildTraffic();
  const shots = process.env.TXGATE_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'txgate-shots-'));
  mkdirSync(shots, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'txgate-chromium-'));
  let server: TestServer | undefined = await startTestServer();
  const browser = await launch(profile);
  try {
    const base = server.url;
    await postBlocks(base, traffic.chain.blocks);
    for (const tx of traffic.mempool) await submit(base, tx);
    for (const tx of [traffic.badPubkey, ...traffic.otherRejects]) await postRaw(`${base}/validate`, new Uint8Array(tx.raw), 'application/octet-stream');

    const page = await browser.newPage();
    await page.setViewport(LAPTOP);
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') problems.push(`console.${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
    page.on('requestfailed', (r) => { if (!r.url().endsWith('/events')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`); });
    page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/events')) problems.push(`HTTP ${r.status()}: ${r.url()}`); });

    await t.test('loads with no console errors and shows the tip and the mempool count', async () => {
      const res = await page.goto(base + '/', { waitUntil: 'load' });
      assert.equal(res?.status(), 200);
      assert.match(res!.headers()['content-security-policy'] ?? '', /default-src 'none'; script-src 'self'/);
      await waitText(page, '#tip-height', String(TIP_HEIGHT), 5_000);
      await waitText(page, '#mempool-count', String(traffic.mempool.length), 5_000);
      await waitText(page, '#conn', 'live', 5_000);
      assert.equal(await page.$$eval('#blocks .block', (els) => els.length), 1, 'one projected block');
      // Every mempool transaction is counted in one of the histogram's bars.
      const binned = await page.$$eval('#histogram svg rect title', (els) => els.map((el) => Number(/: (\d+) txs/.exec(el.textContent ?? '')?.[1])));
      assert.equal(binned.reduce((a, b) => a + b, 0), traffic.mempool.length, `bars ${binned.join(' ')}`);
      assert.match(await text(page, '#reasons'), /mempool-script-verify-flag-failed \(Script failed an OP_EQUALVERIFY operation\)/);
      assert.match(await text(page, '#reasons'), /bad-txns-premature-spend-of-coinbase/);
      assert.match(await text(page, '#recent'), /rejected/);
      assert.deepEqual(problems, []);
    });

    await t.test('updates within 2 s when a transaction is posted', async () => {
      const tx = traffic.later[0]!;
      const t0 = performance.now();
      await submit(base, tx);
      await waitText(page, '#mempool-count', String(traffic.mempool.length + 1), 2_000);
      const elapsed = performance.now() - t0;
      assert.ok(elapsed < 2_000, `shown after ${elapsed.toFixed(0)} ms`);
      await page.waitForSelector(`#recent tr[data-txid="${txidHex(tx)}"]`, { timeout: 2_000 });
      writeFileSync(join(shots, 'dashboard-light.png'), await page.screenshot({ fullPage: true }));
      assert.deepEqual(problems, []);
    });

    await t.test('reads in dark mode and at phone width without sideways scrolling', async () => {
      const background = () => page.$eval('body', (el) => getComputedStyle(el).backgroundColor);
      assert.ok(luminance(await background()) > 0.8, `light background ${await background()}`);
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
      assert.ok(luminance(await background()) < 0.2, `dark background ${await background()}`);
      writeFileSync(join(shots, 'dashboard-dark.png'), await page.screenshot({ fullPage: true }));
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
      await page.setViewport(PHONE);
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }));
      assert.ok(widths.page <= widths.view, `page ${widths.page} px wide in a ${widths.view} px viewport`);
      writeFileSync(join(shots, 'dashboard-phone.png'), await page.screenshot({ fullPage: true }));
      await page.setViewport(LAPTOP);
      assert.deepEqual(problems, []);
    });

    await t.test('the inspector shows the failing opcode of a bad transaction', async () => {
      await page.goto(base + '/#inspect', { waitUntil: 'load' });
      await page.$eval('#inspect-tx', (el, hex) => { (el as HTMLTextAreaElement).value = hex; }, toHex(traffic.badPubkey.raw));
      await page.click('#inspect-go');
      await page.waitForSelector('#inspect-reason', { timeout: 5_000 });
      assert.equal(await text(page, '#inspect-reason'), 'mempool-script-verify-flag-failed (Script failed an OP_EQUALVERIFY operation)');
      assert.match(await text(page, '#inspect-result .kv'), /failing opcodeOP_EQUALVERIFY/);
      assert.match(await text(page, '#inspect-result .kv'), new RegExp(`input 0 of ${txidHex(traffic.badPubkey)}`));
      // The server's script trace, shown in the inspector, stops at the same opcode.
      const traced = await postRaw<{ trace?: unknown }>(`${base}/validate?trace=1`, toHex(traffic.badPubkey.raw), 'text/plain');
      assert.ok(traced.body.trace !== undefined, 'the server gives a trace');
      assert.match(await text(page, '#trace-step'), /OP_EQUALVERIFY/);
      writeFileSync(join(shots, 'inspector.png'), await page.screenshot({ fullPage: true }));
      assert.deepEqual(problems, []);
    });

    await t.test('the inspector steps through a script trace input by input, stack by stack', async () => {
      // The server's verdict, with a trace in POST /validate?trace=1's shape added on the way
      // to the page: this pins the inspector's reading of that shape on any server.
      const spent = (await import('../util/regtest-builder.ts')).outputScript('p2wpkh', 40);
      await page.setRequestInterception(true);
      const onRequest = async (req: import('puppeteer-core').HTTPRequest) => {
        if (!req.url().includes('/validate?trace=1')) return req.continue();
        const verdict = await postRaw<Record<string, unknown>>(`${base}/validate`, req.postData() ?? '', 'application/json');
        return req.respond({ status: 200, contentType: 'application/json', body: JSON.stringify({ ...verdict.body, trace: equalVerifyTrace(traffic.badPubkey, spent) }) });
      };
      page.on('request', onRequest);
      try {
        await page.click('#inspect-go');
        await page.waitForSelector('#trace-step', { timeout: 5_000 });
        assert.equal(await text(page, '#trace-error'), 'stopped: EQUALVERIFY — Script failed an OP_EQUALVERIFY operation');
        assert.equal(await text(page, '#trace-step'), 'p2wpkh · step 3 · OP_EQUALVERIFY — EQUALVERIFY');
        const stack = () => page.$$eval('.stackview .stack:first-child .item', (els) => els.map((el) => el.textContent));
        const [sig, pubkey] = traffic.badPubkey.inputs[0]!.witness.map(toHex);
        const want = toHex(spent.subarray(2));
        const got = toHex(hash160(traffic.badPubkey.inputs[0]!.witness[1]!));
        assert.deepEqual(await stack(), [want, got, pubkey, sig], 'the stack OP_EQUALVERIFY found, top first');
        await page.keyboard.press('ArrowLeft');
        assert.equal(await text(page, '#trace-step'), 'p2wpkh · step 2 · OP_PUSHBYTES_20');
        await page.click('.trace-nav button:first-child');
        await page.click('.trace-nav button:first-child');
        assert.equal(await text(page, '#trace-step'), 'p2wpkh · step 0 · OP_DUP');
        assert.deepEqual(await stack(), [pubkey, pubkey, sig]);
        await page.click('.phase[data-phase="1"] tbody tr:first-child');
        assert.equal(await text(page, '#trace-step'), 'scriptPubKey · step 0 · OP_0');
      } finally {
        page.off('request', onRequest);
        await page.setRequestInterception(false);
      }
      assert.deepEqual(problems, []);
    });

    await t.test('reconnects when the server restarts, by polling alone and then with the event stream', async () => {
      await page.goto(base + '/', { waitUntil: 'load' });
      await waitText(page, '#conn', 'live', 5_000);
      const port = new URL(base).port;
      // The event stream is refused (503, which closes an EventSource for good) until the page
      // has caught up by polling GET /stats alone.
      await page.setRequestInterception(true);
      const noEvents = (req: import('puppeteer-core').HTTPRequest) =>
        (req.url().endsWith('/events') ? req.respond({ status: 503, contentType: 'application/json', body: '{}' }) : req.continue());
      page.on('request', noEvents);
      // An open page (its keep-alive connection, its event stream) does not hold up the close.
      const closing = performance.now();
      await server!.close();
      server = undefined;
      assert.ok(performance.now() - closing < 5_000, `the server took ${(performance.now() - closing).toFixed(0)} ms to close`);
      await waitText(page, '#conn', 'reconnecting…', 10_000);
      server = await startTestServer(['--port', port]);
      // A new in-memory node: the chain again, up to a lower tip, and an empty mempool.
      await postBlocks(server.url, traffic.chain.blocks.slice(0, 50));
      await waitText(page, '#tip-height', '50', 20_000);
      await waitText(page, '#mempool-count', '0', 2_000);
      await waitText(page, '#conn', 'live (polling)', 2_000);
      page.off('request', noEvents);
      await page.setRequestInterception(false);
      await waitText(page, '#conn', 'live', 20_000);
    });

    for (const name of ['dashboard-light', 'dashboard-dark', 'dashboard-phone', 'inspector']) {
      const png = readFileSync(join(shots, `${name}.png`));
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG', name);
      assert.ok(png.length > 10_000, `${name}.png is ${png.length} bytes`);
    }
  } finally {
    await browser.close();
    await server?.close();
    rmSync(profile, { recursive: true, force: true });
    if (!process.env.TXGATE_SCREENSHOTS) rmSync(shots, { recursive: true, force: true });
  }
});
