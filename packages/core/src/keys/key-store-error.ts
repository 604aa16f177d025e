/**
 * The expected failures of reading the key store, as values (STYLE.md "Errors"): a wrong
 * vault key, or a stored value that is damaged or was moved between documents.
 */

/** The store was opened with another vault key than the one that wrote the value. */
export interface KeyStoreLockedError {
  readonly code: "key-store-locked";
  readonly message: string;
  readonly docId: string;
}

/** A stored value is damaged, swapped with another document's, or not a key-store value. */
export interface KeyStoreCorruptError {
  readonly code: "key-store-corrupt";
  readonly message: string;
  readonly docId: string;
  /** The generation whose value is damaged; null when its storage key is damaged too. */
  readonly generation: number | null;
}

/** Any failure to read the key store. */
export type KeyStoreError = KeyStoreLockedError | KeyStoreCorruptError;

/** A wrong vault key. */
export function keyStoreLocked(docId: string): KeyStoreLockedError {
  return {
    code: "key-store-locked",
    docId,
    message:
      `the keys of document ${docId} were stored under another vault key: unlock the vault ` +
      "with the right password or recovery code (nothing was changed)",
  };
}

/** A damaged or misplaced value. */
export function keyStoreCorrupt(
  docId: string,
  generation: number | null,
  reason: string,
): KeyStoreCorruptError {
  const which = generation === null ? "keys" : `keys of generation ${generation}`;
  return {
    code: "key-store-corrupt",
    docId,
    generation,
    message:
      `the stored ${which} of document ${docId} are damaged (${reason}): restore them from ` +
      "another device or from the account's key bundle, then store them again",
  };
}
