/**
 * The crash log in IndexedDB (browsers): one object store of records, indexed by log name.
 * `append` resolves when its transaction commits, so a record survives the tab closing.
 */
import { type CrashLog, type CrashLogKey, crashLogName, parseCrashLogName } from "./crash-log.js";

const STORE = "records";
const INDEX = "byLog";

interface StoredRecord {
  readonly log: string;
  readonly data: Uint8Array;
}

/** Keeps crash logs in the IndexedDB database `name` (default `ridevault-crash-log`). */
export class IndexedDbCrashLog implements CrashLog {
  readonly #db: Promise<IDBDatabase>;

  constructor(name = "ridevault-crash-log", factory: IDBFactory = globalThis.indexedDB) {
    this.#db = new Promise((resolve, reject) => {
      const request = factory.open(name, 1);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { autoIncrement: true });
        store.createIndex(INDEX, "log");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async append(key: CrashLogKey, record: Uint8Array): Promise<void> {
    const stored: StoredRecord = { log: crashLogName(key), data: record.slice() };
    await this.#transact("readwrite", (store) => store.add(stored));
  }

  async keys(): Promise<CrashLogKey[]> {
    const names: string[] = [];
    await this.#transactMany("readonly", (store) => {
      const cursor = store.index(INDEX).openKeyCursor(null, "nextunique");
      cursor.onsuccess = () => {
        if (!cursor.result) return;
        names.push(String(cursor.result.key));
        cursor.result.continue();
      };
    });
    return names.flatMap((name) => parseCrashLogName(name) ?? []);
  }

  async read(key: CrashLogKey): Promise<Uint8Array[]> {
    const records = await this.#transact("readonly", (store) =>
      store.index(INDEX).getAll(crashLogName(key)),
    );
    return (records as StoredRecord[]).map((r) => new Uint8Array(r.data));
  }

  async remove(key: CrashLogKey): Promise<void> {
    const primaryKeys = await this.#transact("readonly", (store) =>
      store.index(INDEX).getAllKeys(crashLogName(key)),
    );
    await this.#transactMany("readwrite", (store) => {
      for (const primaryKey of primaryKeys as IDBValidKey[]) store.delete(primaryKey);
    });
  }

  async close(): Promise<void> {
    (await this.#db).close();
  }

  async #transact<T>(
    mode: IDBTransactionMode,
    run: (store: IDBObjectStore) => IDBRequest<T>,
  ): Promise<T> {
    const db = await this.#db;
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = run(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
    });
  }

  async #transactMany(
    mode: IDBTransactionMode,
    run: (store: IDBObjectStore) => void,
  ): Promise<void> {
    const db = await this.#db;
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      run(tx.objectStore(STORE));
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
    });
  }
}
