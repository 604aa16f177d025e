/**
 * Integrity for whatever stores the vault's bytes. Automerge loads a truncated or damaged
 * change file partially and silently, so a damaged disk would quietly lose samples. This
 * wrapper frames every stored value as `"RVS1" · CRC-32 · bytes` and checks it on every
 * load: a damaged value fails loudly with `StorageCorruptError`, naming its key (the first
 * element of a document's keys is its document id), and other documents load as before.
 */
import { crc32 } from "./crc32.js";
import type { Chunk, StorageAdapter, StorageKey } from "./storage-adapter.js";

const MAGIC = [0x52, 0x56, 0x53, 0x31]; // "RVS1"
const HEADER = 8;

/** A stored value failed its integrity check. */
export class StorageCorruptError extends Error {
  override name = "StorageCorruptError";
  readonly code = "storage-corrupt";
  constructor(
    readonly key: StorageKey,
    readonly reason: string,
  ) {
    super(`stored data at ${key.join("/")} is damaged: ${reason}`);
  }
}

/** Wraps `inner` so every value is checksummed on save and verified on load. */
export function createCheckedStorage(inner: StorageAdapter): StorageAdapter {
  return {
    async load(key) {
      const data = await inner.load(key);
      return data === undefined ? undefined : unframe(key, data);
    },
    save: (key, data) => inner.save(key, frame(data)),
    remove: (key) => inner.remove(key),
    async loadRange(prefix): Promise<Chunk[]> {
      const chunks = await inner.loadRange(prefix);
      return chunks.map(({ key, data }) => ({
        key,
        data: data === undefined ? undefined : unframe(key, data),
      }));
    },
    removeRange: (prefix) => inner.removeRange(prefix),
  };
}

function frame(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + data.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, crc32(data), true);
  out.set(data, HEADER);
  return out;
}

function unframe(key: StorageKey, stored: Uint8Array): Uint8Array {
  if (stored.length < HEADER || MAGIC.some((byte, i) => stored[i] !== byte)) {
    throw new StorageCorruptError(key, `it is not a ridevault record (${stored.length} bytes)`);
  }
  const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength);
  const data = stored.subarray(HEADER);
  if (view.getUint32(4, true) !== crc32(data)) {
    throw new StorageCorruptError(key, "its checksum does not match (truncated or overwritten)");
  }
  return data;
}
