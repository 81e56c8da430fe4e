/**
 * File I/O for persistence, on node:fs (which Node, Bun and Deno all provide): crash-safe
 * replacement of a file (temp file, fsync, rename, fsync of the directory), streaming
 * reads, and the few directory operations the stores need.
 */
import { open, readFile, readdir, rename, rm, mkdir, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';

export { join as joinPath };

/** fsync a directory so that a rename in it is durable (ignored where unsupported). */
async function syncDir(dir: string): Promise<void> {
  let h;
  try {
    h = await open(dir, 'r');
    await h.sync();
  } catch (e) {
    const code = (e as { code?: string }).code;
    // some platforms refuse to open or fsync directories; the rename is still atomic
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'ENOTSUP') throw e;
  } finally {
    await h?.close();
  }
}

export interface WriteOptions {
  /** Called after each chunk reaches the temp file (bytes written so far). */
  onProgress?: (bytes: number) => void | Promise<void>;
}

/**
 * Writes the chunks to `path` atomically: `path.tmp` is written and fsynced, renamed over
 * `path`, and the directory fsynced. A crash leaves either the old file or the new one
 * (and possibly a stray .tmp, which the next write replaces).
 */
export async function writeFileAtomic(path: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, opts: WriteOptions = {}): Promise<number> {
  const tmp = path + '.tmp';
  const h = await open(tmp, 'w');
  let bytes = 0;
  try {
    for await (const c of chunks as AsyncIterable<Uint8Array>) {
      let off = 0;
      while (off < c.length) {
        const { bytesWritten } = await h.write(c, off, c.length - off);
        off += bytesWritten;
      }
      bytes += c.length;
      await opts.onProgress?.(bytes);
    }
    await h.sync();
  } catch (e) {
    await h.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await h.close();
  await rename(tmp, path);
  await syncDir(dirname(path));
  return bytes;
}

/** The file's bytes as a stream of chunks. */
export async function* readFileChunks(path: string, chunkBytes = 1 << 20): AsyncGenerator<Uint8Array> {
  const s = createReadStream(path, { highWaterMark: chunkBytes });
  try {
    for await (const c of s) yield new Uint8Array((c as Uint8Array).buffer, (c as Uint8Array).byteOffset, (c as Uint8Array).byteLength);
  } finally {
    s.destroy();
  }
}

export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return [];
    throw e;
  }
}

export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

/**
 * Appends the bytes to `path` (created if absent) and fsyncs it before resolving, so they
 * survive a crash once this resolves; a crash during the call may leave part of them at
 * the end of the file (the reader must detect a torn last record).
 */
export async function appendDurable(path: string, bytes: Uint8Array): Promise<void> {
  const created = (await fileSize(path)) === undefined;
  const h = await open(path, 'a');
  try {
    let off = 0;
    while (off < bytes.length) {
      const { bytesWritten } = await h.write(bytes, off, bytes.length - off);
      off += bytesWritten;
    }
    await h.sync();
  } finally {
    await h.close();
  }
  if (created) await syncDir(dirname(path));
}
