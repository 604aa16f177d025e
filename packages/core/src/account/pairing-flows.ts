/**
 * Pairing a new device by a one-time link instead of the password (DESIGN.md §3):
 * `createPairing` on a signed-in device leaves the library access, sealed to the link's
 * secret, in a relay mailbox (10 minutes, single use) and returns the link to show as a QR
 * code; `joinByPairingLink` on the new device takes the mailbox, opens it and is signed in
 * to the same account. The relay only ever sees the mailbox id and the sealed bytes.
 */
import { loadSodium } from "../crypto/sodium.js";
import type { LibraryAccess } from "../keys/account-bundle.js";
import {
  createPairingLink,
  openPairing,
  type PairingCorruptError,
  parsePairingLink,
  sealPairing,
} from "../keys/pairing-link.js";
import { err, ok, type Result } from "../result.js";
import { type Random, systemRandom } from "../runtime.js";
import type { AccountClient, AccountClientError } from "./account-client.js";
import type { SignedIn } from "./account-flows.js";
import { AccountSession } from "./account-session.js";

/** A pairing failure: the relay's (`pairing-invalid` for a used or expired link), or the link's. */
export type PairingError =
  | AccountClientError
  | PairingCorruptError
  | { readonly code: "invalid-pairing-link"; readonly message: string };

/** Makes a one-time link that signs a new device in to `session`'s account with `library`. */
export async function createPairing(options: {
  readonly client: AccountClient;
  readonly session: AccountSession;
  readonly library: LibraryAccess;
  readonly random?: Random;
}): Promise<Result<{ link: string; expiresAt: number }, PairingError>> {
  const sodium = await loadSodium();
  const random = options.random ?? systemRandom;
  const pairing = createPairingLink(sodium, random);
  const token = await options.session.accessToken();
  if (!token.ok) return token;
  const left = await options.client.leaveMailbox(
    token.value,
    pairing.mailboxId,
    sealPairing(sodium, random, pairing, options.library),
  );
  if (!left.ok) return left;
  return ok({ link: pairing.link, expiresAt: left.value.expiresAt });
}

/** Joins the account behind a pairing link: a session and the library to open. */
export async function joinByPairingLink(options: {
  readonly client: AccountClient;
  readonly link: string;
}): Promise<Result<SignedIn, PairingError>> {
  const sodium = await loadSodium();
  const keys = parsePairingLink(sodium, options.link);
  if (!keys)
    return err({
      code: "invalid-pairing-link",
      message: "that is not a ridevault pairing link: scan or copy it again",
    });
  const taken = await options.client.takeMailbox(keys.mailboxId);
  if (!taken.ok) return taken;
  const library = openPairing(sodium, keys, taken.value.sealed);
  if (!library.ok) return library;
  const session = new AccountSession({ client: options.client, tokens: taken.value.tokens });
  // The link carries the library only: no sharing key, no vault key (log in for those).
  return ok({ session, library: library.value, shareKeys: null, vaultKey: null });
}
