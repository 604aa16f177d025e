/**
 * A tiny store of structured-clonable values by name, for what the account keeps on this
 * device besides the sealed session: the device's non-extractable WebCrypto key (a
 * `CryptoKey` can be stored in IndexedDB as it is, and stays non-extractable there) and the
 * account secrets wrapped under it. `IndexedDbKeyValueStore` is the browser's; tests use
 * a `Map`-backed fake.
 */

/** Values by name; every operation may be asynchronous. */
export interface KeyValueStore {
  /** The value stored under `name`, or undefined. */
  get(name: string): Promise<unknown>;
  /** Stores `value` (structured-cloned) under `name`, replacing what was there. */
  set(name: string, value: unknown): Promise<void>;
  /** Removes `name` (nothing happens when it is absent). */
  delete(name: string): Promise<void>;
}

const STORE = "keys";

/** A `KeyValueStore` in the IndexedDB database `database` (one object store, "keys"). */
export class IndexedDbKeyValueStore implements KeyValueStore {
  readonly #database: Promise<IDBDatabase>;

  constructor(database: string) {
    this.#database = new Promise((resolve, reject) => {
      const request = indexedDB.open(database, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async get(name: string): Promise<unknown> {
    return this.#run("readonly", (store) => store.get(name));
  }

  async set(name: string, value: unknown): Promise<void> {
    await this.#run("readwrite", (store) => store.put(value, name));
  }

  async delete(name: string): Promise<void> {
    await this.#run("readwrite", (store) => store.delete(name));
  }

  async #run(
    mode: IDBTransactionMode,
    operation: (store: IDBObjectStore) => IDBRequest,
  ): Promise<unknown> {
    const database = await this.#database;
    return new Promise((resolve, reject) => {
      const transaction = database.transaction(STORE, mode);
      const request = operation(transaction.objectStore(STORE));
      // Resolves once the transaction is committed, so a reload right after keeps the write.
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? request.error);
      transaction.onabort = () => reject(transaction.error ?? new Error("transaction aborted"));
    });
  }
}
