/**
 * Reading and writing document keys kept in the library document by generation
 * (`{ [generation]: encodeDocumentKeys bytes }`), as own workouts, pending rotations and
 * shares received all keep them.
 */
import type { DocumentKeys } from "../crypto/document-keys.js";
import { decodeDocumentKeys, encodeDocumentKeys } from "../keys/encode-document-keys.js";

/** The readable generations of one document's stored keys, by generation. */
export function decodeGenerations(
  stored: Record<string, Uint8Array> | undefined,
): Map<number, DocumentKeys> {
  const out = new Map<number, DocumentKeys>();
  for (const bytes of Object.values(stored ?? {})) {
    const keys = decodeDocumentKeys(bytes);
    if (typeof keys !== "string") out.set(keys.generation, keys);
  }
  return out;
}

/** The stored form of several generations. */
export function encodeGenerations(keys: Iterable<DocumentKeys>): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const k of keys) out[String(k.generation)] = encodeDocumentKeys(k);
  return out;
}

/** The newest of several generations, or undefined for none. */
export function newestKeys(keys: Iterable<DocumentKeys>): DocumentKeys | undefined {
  let best: DocumentKeys | undefined;
  for (const k of keys) if (!best || k.generation > best.generation) best = k;
  return best;
}
