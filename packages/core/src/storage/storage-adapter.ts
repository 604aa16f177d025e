/**
 * The local-storage seam: bytes by key, range loads by key prefix — the same shape as
 * automerge-repo's `StorageAdapterInterface`, so its adapters fit. Implementations:
 * `MemoryStorageAdapter` (tests), `FileStorageAdapter` (Node, in `@ridevault/core/node`),
 * and automerge-repo's IndexedDB adapter (browsers, through `@ridevault/core/browser`).
 * Every one runs `runStorageAdapterTests`.
 */

/** A key: a path of strings. The first part of a document's keys is its id. */
export type StorageKey = string[];

/** A stored value and its key, as range loads return them. */
export interface Chunk {
  key: StorageKey;
  data: Uint8Array | undefined;
}

/** Bytes by key. Every operation may be asynchronous; `save` overwrites. */
export interface StorageAdapter {
  load(key: StorageKey): Promise<Uint8Array | undefined>;
  save(key: StorageKey, data: Uint8Array): Promise<void>;
  remove(key: StorageKey): Promise<void>;
  /** Every value whose key starts with `keyPrefix`. */
  loadRange(keyPrefix: StorageKey): Promise<Chunk[]>;
  removeRange(keyPrefix: StorageKey): Promise<void>;
}

const SEPARATOR = "\u0000";

/** Keeps everything in a Map; for tests and for vaults that must leave no trace. */
export class MemoryStorageAdapter implements StorageAdapter {
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
