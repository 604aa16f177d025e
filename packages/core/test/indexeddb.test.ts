import "fake-indexeddb/auto";
import {
  IndexedDBStorageAdapter,
  IndexedDbCrashLog,
  openBrowserVault,
  unwrap,
} from "../src/browser.js";
import { runCrashLogTests, runStorageAdapterTests, runVaultTests } from "../src/testing/index.js";

let counter = 0;
const uniqueName = (): string => `ridevault-test-${process.pid}-${counter++}`;

runStorageAdapterTests("IndexedDB", {
  async create() {
    const name = uniqueName();
    return {
      store: new IndexedDBStorageAdapter(name),
      reopen: async () => new IndexedDBStorageAdapter(name),
    };
  },
});

runCrashLogTests("IndexedDB", {
  async create() {
    const name = uniqueName();
    return { store: new IndexedDbCrashLog(name), reopen: async () => new IndexedDbCrashLog(name) };
  },
});

runVaultTests("IndexedDB", async () => {
  const name = uniqueName();
  return {
    open: async (options = {}) => unwrap(await openBrowserVault({ ...options, name })),
    async damage(workoutId) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = db.transaction("documents", "readwrite");
      const store = tx.objectStore("documents");
      const cursor = store.openCursor();
      cursor.onsuccess = () => {
        const current = cursor.result;
        if (!current) return;
        const record = current.value as { key: string[]; binary: Uint8Array };
        if (record.key[0] === workoutId) {
          current.update({
            ...record,
            binary: record.binary.subarray(0, Math.floor(record.binary.length / 2)),
          });
        }
        current.continue();
      };
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    async teardown() {},
  };
});
