/**
 * `@ridevault/core/node`: the vault on a file system. Everything of `@ridevault/core`, plus
 * `openNodeVault` and the file-backed storage adapter and crash log.
 */
import path from "node:path";
import type { Result } from "./result.js";
import { FileCrashLog } from "./storage/file-crash-log.js";
import { FileStorageAdapter } from "./storage/file-storage.js";
import type { VaultError } from "./vault/errors.js";
import { openVault, type Vault, type VaultOptions } from "./vault/vault.js";

export { readImportFolder } from "./formats/import/read-import-folder.js";
export * from "./index.js";
export { FileCrashLog } from "./storage/file-crash-log.js";
export { FileStorageAdapter, type FileStorageOptions } from "./storage/file-storage.js";

/** Options of `openNodeVault`: a directory, and any `openVault` option but the stores. */
export interface NodeVaultOptions extends Omit<VaultOptions, "storage" | "crashLog"> {
  /** The vault's directory; created if missing. Documents go in `docs/`, crash logs in `crash-log/`. */
  readonly directory: string;
  /** Flush every stored file to disk before a save resolves (default true). */
  readonly durable?: boolean;
}

/** Opens (or creates) the vault kept in `options.directory`. */
export function openNodeVault(options: NodeVaultOptions): Promise<Result<Vault, VaultError>> {
  const { directory, durable, ...rest } = options;
  return openVault({
    ...rest,
    storage: new FileStorageAdapter(
      path.join(directory, "docs"),
      durable === undefined ? {} : { durable },
    ),
    crashLog: new FileCrashLog(path.join(directory, "crash-log")),
  });
}
