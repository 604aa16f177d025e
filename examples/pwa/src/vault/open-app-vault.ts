/**
 * Which IndexedDB vault this browser uses. A first visit creates one (anonymous, local-only
 * until sync is on). Joining another device's vault makes a new vault from the invite (or
 * from the library access an account login or pairing link opened) —
 * `openVault` joins only when creating — and, once it is open, forgets the old, empty one.
 */
import {
  type LibraryAccess,
  openBrowserVault,
  type Result,
  type Vault,
  type VaultError,
} from "@ridevault/core/browser";

const NAME_KEY = "ridevault.vault-name";
const DEFAULT_NAME = "ridevault";
const DEVICE_NAME = "ridevault web app";

/** Opens (or creates) this browser's vault. */
export function openAppVault(): Promise<Result<Vault, VaultError>> {
  const name = localStorage.getItem(NAME_KEY) ?? DEFAULT_NAME;
  return openBrowserVault({ name, deviceName: DEVICE_NAME });
}

/**
 * Replaces `current` (which must hold no workouts) with a vault that joins the rider's other
 * device through `invite` (an invite code, or an account's library access); `release` runs
 * before `current` is closed (stop its sync there). On failure `current` stays in use.
 */
export async function joinAppVault(
  current: Vault,
  invite: string | LibraryAccess,
  release: () => Promise<void>,
): Promise<Result<Vault, VaultError>> {
  const oldName = localStorage.getItem(NAME_KEY) ?? DEFAULT_NAME;
  const name = `${DEFAULT_NAME}-${Date.now().toString(36)}`;
  const joined = await openBrowserVault({
    name,
    deviceName: DEVICE_NAME,
    join: typeof invite === "string" ? invite.trim() : invite,
  });
  if (!joined.ok) {
    deleteDatabases(name);
    return joined;
  }
  localStorage.setItem(NAME_KEY, name);
  await release();
  await current.close();
  deleteDatabases(oldName);
  return joined;
}

function deleteDatabases(name: string): void {
  for (const db of [name, `${name}-crash-log`]) indexedDB.deleteDatabase(db);
}
