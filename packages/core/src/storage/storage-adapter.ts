/**
 * The local-storage seam: automerge-repo's `StorageAdapterInterface` (bytes by key, range
 * loads by key prefix), re-exported under our name, and the in-memory implementation.
 * Implementations: `MemoryStorageAdapter` (tests), `FileStorageAdapter` (Node, in
 * `@ridevault/core/node`), and automerge-repo's IndexedDB adapter (browsers, through
 * `@ridevault/core/browser`). Every one runs `runStorageAdapterTests`.
 */
import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo";

export type { Chunk, StorageAdapterInterface as StorageAdapter, StorageKey };

const SEPARATOR = "\u0000";

/** Keeps everything in a Map; for tests and for vaults that must leave no trace. */
export class MemoryStorageAdapter implements StorageAdapterInterface {
  readonly #data = new Map<string, Uint8Array>();

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.#data.get(key.join(SEPARATOR))?.slice();
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    this.#data.set(key.join(SEPARATOR), data.slice());
  }

  async remove(key: StorageKey): Promise<void> {
    this.#data.delete(key.join(SEPARATOR));
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const out: Chunk[] = [];
    for (const [joined, data] of this.#data) {
      const key = joined.split(SEPARATOR);
      if (hasPrefix(key, keyPrefix)) out.push({ key, data: data.slice() });
    }
    return out;
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    for (const joined of [...this.#data.keys()]) {
      if (hasPrefix(joined.split(SEPARATOR), keyPrefix)) this.#data.delete(joined);
    }
  }

  /** Every stored key (for tests that damage stored data on purpose). */
  keys(): StorageKey[] {
    return [...this.#data.keys()].map((joined) => joined.split(SEPARATOR));
  }
}

/** True when `key` starts with every element of `prefix`. */
export function hasPrefix(key: StorageKey, prefix: StorageKey): boolean {
  return prefix.length <= key.length && prefix.every((part, i) => key[i] === part);
}
