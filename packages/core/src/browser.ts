/**
 * `@ridevault/core/browser`: the vault in IndexedDB. Everything of `@ridevault/core`, plus
 * `openBrowserVault` and the IndexedDB crash log.
 */
import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb";
import type { Result } from "./result.js";
import { IndexedDbCrashLog } from "./storage/indexeddb-crash-log.js";
import type { VaultError } from "./vault/errors.js";
import { openVault, type Vault, type VaultOptions } from "./vault/vault.js";

export { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb";
export * from "./index.js";
export { IndexedDbCrashLog } from "./storage/indexeddb-crash-log.js";

/** Options of `openBrowserVault`: a name, and any `openVault` option but the stores. */
export interface BrowserVaultOptions extends Omit<VaultOptions, "storage" | "crashLog"> {
  /** The vault's name; its IndexedDB databases are `<name>` and `<name>-crash-log`. */
  readonly name?: string;
}

/** Opens (or creates) the vault named `options.name` (default "ridevault") in IndexedDB. */
export function openBrowserVault(
  options: BrowserVaultOptions = {},
): Promise<Result<Vault, VaultError>> {
  const { name = "ridevault", ...rest } = options;
  return openVault({
    ...rest,
    storage: new IndexedDBStorageAdapter(name, "documents"),
    crashLog: new IndexedDbCrashLog(`${name}-crash-log`),
  });
}
