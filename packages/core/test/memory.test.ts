import { MemoryCrashLog, MemoryStorageAdapter, openVault, unwrap } from "../src/index.js";
import { runCrashLogTests, runStorageAdapterTests, runVaultTests } from "../src/testing/index.js";

runStorageAdapterTests("memory", {
  async create() {
    const store = new MemoryStorageAdapter();
    return { store, reopen: async () => store };
  },
});

runCrashLogTests("memory", {
  async create() {
    const store = new MemoryCrashLog();
    return { store, reopen: async () => store };
  },
});

runVaultTests("memory", async () => {
  const storage = new MemoryStorageAdapter();
  const crashLog = new MemoryCrashLog();
  return {
    open: async (options = {}) => unwrap(await openVault({ ...options, storage, crashLog })),
    async damage(workoutId) {
      for (const key of storage.keys()) {
        if (key[0] !== workoutId) continue;
        const data = (await storage.load(key)) as Uint8Array;
        await storage.save(key, data.subarray(0, Math.floor(data.length / 2)));
      }
    },
    async teardown() {},
  };
});
