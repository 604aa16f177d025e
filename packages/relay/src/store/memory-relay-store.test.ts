/** The in-memory relay store runs the acceptance suite; `reopen` stands in for a restart. */
import { MemoryRelayStore } from "./memory-relay-store.js";
import { runRelayStoreTests } from "./relay-store-suite.js";

runRelayStoreTests("memory", {
  async create() {
    const store = new MemoryRelayStore();
    return { store, reopen: async () => store.reopen() };
  },
});
