/**
 * Starting a real txgate server for tests, on an ephemeral port: in-process with
 * startServer (a real listening socket on every runtime), or as a child process through the
 * CLI entry (src/runtime/serve.ts) with the runtime running the tests. Plus small fetch
 * helpers for the HTTP API.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { parseConfig } from '../../src/runtime/config.ts';
import { startServer } from '../../src/runtime/serve-main.ts';
import type { ResultJson } from '../../src/api/app.ts';
import { toHex } from '../../src/primitives/bytes.ts';
import { scriptCommand } from './spawn-runtime.ts';

export type RunningServer = Awaited<ReturnType<typeof startServer>>;

export interface TestServer {
  url: string;
  server: RunningServer;
  /** Lines the server logged (startup report). */
  log: string[];
  close(): Promise<void>;
}

/**
 * Starts the server in this process on 127.0.0.1 with an ephemeral port, noble crypto and
 * two workers unless `args` say otherwise (later flags win).
 */
export async function startTestServer(args: string[] = []): Promise<TestServer> {
  const log: string[] = [];
  const config = parseConfig(['--port', '0', '--host', '127.0.0.1', '--workers', '2', '--crypto', 'noble', ...args]);
  const server = await startServer(config, (line) => log.push(line));
  let closed: Promise<void> | undefined;
  return { url: server.url, server, log, close: () => (closed ??= server.close()) };
}

export interface ChildServer {
  url: string;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /**
   * SIGTERM, then SIGKILL after 5 s. `code` is null when a signal ended it — and always on
   * Deno, whose node:child_process reports (null, 'SIGTERM') for a child it signalled even
   * when the child handled the signal and exited by itself; `forced` says SIGKILL was needed.
   */
  close(): Promise<ChildExit>;
  /** SIGKILL now: the process dies mid-request, as a crashed machine would. */
  kill(): Promise<ChildExit>;
}

export interface ChildExit {
  code: number | null;
  signal: string | null;
  forced: boolean;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts `src/runtime/serve.ts` as a child process with this runtime; resolves once it logs its URL. */
export async function startChildServer(args: string[], env: Record<string, string> = {}, timeoutMs = 45_000): Promise<ChildServer> {
  // A fresh data directory unless the test brings its own (the CLI defaults to ./data).
  const datadir = args.some((a) => a.startsWith('--datadir')) ? [] : [`--datadir=${mkdtempSync(join(tmpdir(), 'txgate-test-'))}`];
  const { cmd, args: argv } = scriptCommand('src/runtime/serve.ts', ['--port=0', '--host=127.0.0.1', ...datadir, ...args]);
  const child = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  let out = '';
  let forced = false;
  let result: ChildExit | undefined;
  const exited = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => {
    result = { code, signal, forced };
    resolve(result);
  }));
  const close = async (): Promise<ChildExit> => {
    if (result) return result;
    child.kill('SIGTERM');
    const killer = setTimeout(() => {
      forced = true;
      child.kill('SIGKILL');
    }, 5_000);
    const r = await exited;
    clearTimeout(killer);
    return r;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
      const onData = (d: unknown) => {
        out += String(d);
        const m = /listening on (https?:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exited.then((r) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${r.code ?? r.signal}:\n${out}`));
      });
    });
    const kill = (): Promise<ChildExit> => {
      if (!result) child.kill('SIGKILL');
      return exited;
    };
    return { url, output: () => out, close, kill };
  } catch (e) {
    await close();
    throw e;
  }
}

/** A JSON response's status and body. */
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

async function json<T>(res: Response): Promise<JsonResponse<T>> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<JsonResponse<T>> {
  return json<T>(await fetch(url));
}

/** POST with a content type; the body as given. */
export async function postRaw<T = unknown>(url: string, body: BodyInit, contentType?: string, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
  return json<T>(await fetch(url, { method: 'POST', body, headers: contentType ? { 'content-type': contentType, ...headers } : headers }));
}

export function postJson<T = unknown>(url: string, body: unknown): Promise<JsonResponse<T>> {
  return postRaw<T>(url, JSON.stringify(body), 'application/json');
}

/** One transaction as raw bytes (octet-stream). */
export function postTxBytes(base: string, raw: Uint8Array): Promise<JsonResponse<ResultJson>> {
  return postRaw<ResultJson>(`${base}/validate`, new Uint8Array(raw), 'application/octet-stream');
}

/** One block as raw bytes; with a bearer token when given. */
export function postBlock(base: string, raw: Uint8Array, token?: string): Promise<JsonResponse<Record<string, unknown>>> {
  return postRaw(`${base}/blocks`, new Uint8Array(raw), 'application/octet-stream', token ? { authorization: `Bearer ${token}` } : {});
}

/** Posts blocks one after another; throws on the first one not accepted. */
export async function postBlocks(base: string, blocks: readonly Uint8Array[], token?: string): Promise<void> {
  for (const [i, raw] of blocks.entries()) {
    const r = await postBlock(base, raw, token);
    const b = r.body as { accepted?: boolean };
    if (r.status !== 200 || b.accepted !== true) throw new Error(`block ${i} (${toHex(raw.subarray(0, 8))}…) refused: ${r.status} ${JSON.stringify(r.body)}`);
  }
}
