/** The in-memory account store runs the acceptance suite. */
import { runAccountStoreTests } from "./account-store-suite.js";
import { MemoryAccountStore } from "./memory-account-store.js";

runAccountStoreTests("memory", {
  async create() {
    return { store: new MemoryAccountStore() };
  },
});
