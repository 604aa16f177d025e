/**
 * What every page needs, through React context: the open vault, its sync controller, the
 * account, the settings, the recorder, and hooks that re-render on the vault's, sync's and
 * account's changes.
 */
import type { LibraryEntry, ListOptions, Vault } from "@ridevault/core/browser";
import { createContext, useContext, useMemo, useSyncExternalStore } from "react";
import type {
  AccountController,
  AccountState,
  PendingSignIn,
} from "./account/account-controller.js";
import type { RecorderPort } from "./recording/recorder-port.js";
import type { AppSettings } from "./settings.js";
import type { AppSyncStatus, SyncController } from "./sync/sync-controller.js";

/** The app's services. */
export interface AppServices {
  readonly vault: Vault;
  readonly sync: SyncController;
  readonly settings: AppSettings;
  readonly recorder: RecorderPort;
  readonly account: AccountController;
  saveSettings(settings: AppSettings): void;
  /** Replaces this (empty) vault with the one of `invite`; resolves to an error message or null. */
  join(invite: string): Promise<string | null>;
  /**
   * Makes a login's session this device's: when the account's vault is not this one, this
   * (empty) vault is replaced by it first. Resolves to an error sentence or null.
   */
  signIn(pending: PendingSignIn): Promise<string | null>;
}

/** The services, provided by `App`. */
export const AppContext = createContext<AppServices | null>(null);

/** The app's services; only inside `App`. */
export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error("useApp outside <App>");
  return services;
}

const versions = new WeakMap<Vault, { value: number }>();

/** A counter that moves on every library change of `vault` (for memoised reads). */
export function useVaultVersion(vault: Vault): number {
  let version = versions.get(vault);
  if (!version) {
    version = { value: 0 };
    versions.set(vault, version);
  }
  const counter = version;
  return useSyncExternalStore(
    (listener) =>
      vault.subscribe(() => {
        counter.value++;
        listener();
      }),
    () => counter.value,
  );
}

/** The library's entries (newest first), re-read on every change. */
export function useLibrary(options: ListOptions = {}): LibraryEntry[] {
  const { vault } = useApp();
  const version = useVaultVersion(vault);
  const { deleted } = options;
  // biome-ignore lint/correctness/useExhaustiveDependencies: version marks library changes
  return useMemo(
    () => vault.workouts.list(deleted === undefined ? {} : { deleted }),
    [vault, deleted, version],
  );
}

/** The sync status, re-rendering on change. */
export function useSyncStatus(): AppSyncStatus {
  const { sync } = useApp();
  return useSyncExternalStore(
    (listener) => sync.subscribe(listener),
    () => sync.status,
  );
}

/** The account's state, re-rendering on change. */
export function useAccount(): AccountState {
  const { account } = useApp();
  return useSyncExternalStore(
    (listener) => account.subscribe(listener),
    () => account.state,
  );
}
