/**
 * `@ridevault/core/testing`: acceptance suites for the storage seams and the vault, and
 * fast-check generators of rides. Needs `vitest` and `fast-check` (peer dependencies).
 */
export { rideArbitrary, sampleValuesArbitrary, splitAt } from "./arbitraries.js";
export { runCrashLogTests, runStorageAdapterTests, type StoreFactory } from "./storage-suite.js";
export { runVaultTests, type VaultEnvironment } from "./vault-suite.js";
