/** Reads files under test/vectors/ (node:fs works on Node, Bun and Deno). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function vectorPath(rel: string): string {
  return fileURLToPath(new URL('../vectors/' + rel, import.meta.url));
}

export function readVector(rel: string): Uint8Array {
  const b = readFileSync(vectorPath(rel));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function readVectorText(rel: string): string {
  return readFileSync(vectorPath(rel), 'utf8');
}

export function readVectorJson<T = unknown>(rel: string): T {
  return JSON.parse(readVectorText(rel)) as T;
}
