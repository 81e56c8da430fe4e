/**
 * The RPC authentication cookie (Core's rpc/request.cpp GenerateAuthCookie / GetAuthCookie /
 * DeleteAuthCookie): `__cookie__:<64 hex digits>` written to `<datadir>/.cookie` through a
 * temporary file and a rename, readable by the owner only, removed at shutdown.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** COOKIEAUTH_USER. */
const COOKIE_USER = '__cookie__';
/** COOKIEAUTH_FILE. */
const COOKIE_FILE = '.cookie';

export interface AuthCookie {
  user: string;
  password: string;
  /** Where the cookie was written. */
  path: string;
}

/** Writes a fresh cookie (32 random bytes as hex) and returns its credentials. */
export async function writeAuthCookie(datadir: string, file = COOKIE_FILE): Promise<AuthCookie> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const password = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const path = join(datadir, file);
  const tmp = path + '.tmp';
  await writeFile(tmp, `${COOKIE_USER}:${password}`, { mode: 0o600 });
  await rename(tmp, path);
  return { user: COOKIE_USER, password, path };
}

/** GetAuthCookie: the first line, split at the first colon; undefined when absent. */
export async function readAuthCookie(path: string): Promise<{ user: string; password: string } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
  const line = text.split('\n')[0]!;
  const colon = line.indexOf(':');
  if (colon < 0) return undefined;
  return { user: line.slice(0, colon), password: line.slice(colon + 1) };
}

/** DeleteAuthCookie. */
export async function deleteAuthCookie(path: string): Promise<void> {
  await rm(path, { force: true });
}
