/**
 * What a rider does with an account, end to end on the device (DESIGN.md §3):
 *
 * - `registerAccount`: new account key, vault key and sharing key pair, the vault's library
 *   access sealed into a bundle wrapped by the password (Argon2id) and by a new recovery
 *   code (shown once); the relay receives only public keys, the KDF parameters and the
 *   bundle. (`attachAccount` does it for a vault used without an account, and claims its
 *   documents.)
 * - `logIn`: challenge → KDF checked against this device's minimum → login key signs →
 *   tokens → bundle → library access, for `openVault({ join: access })`. An account made
 *   before sharing gets its sharing key pair here (bundle upgraded, public half uploaded).
 * - `changePassword`: re-wraps the account key only (nothing is re-encrypted), signs out
 *   every other device.
 * - `recoverAccount`: the recovery code proves the account and unwraps the account key,
 *   then a new password is set.
 * - `deleteAccount`: a fresh proof, then every row of the account goes.
 *
 * Argon2id is slow on purpose (~0.7 s here at the default parameters); tests pass
 * `unsafeTestKdf` to use tiny parameters, which the normal check refuses.
 */
import { loadSodium, type Sodium } from "../crypto/sodium.js";
import {
  type AccountSecrets,
  addShareKeyToBundle,
  type BundleCorruptError,
  type BundleLockedError,
  createAccountBundle,
  createShareKeys,
  type LibraryAccess,
  openAccountBundle,
  rewrapAccountBundle,
  type ShareKeyPair,
} from "../keys/account-bundle.js";
import {
  checkKdf,
  type DerivedAccountKeys,
  derivePasswordKeys,
  type KdfRejectedError,
  newKdf,
  signLoginChallenge,
} from "../keys/account-kdf.js";
import {
  createRecoveryCode,
  deriveRecoveryKeys,
  parseRecoveryCode,
} from "../keys/recovery-code.js";
import { err, ok, type Result } from "../result.js";
import { type Random, systemRandom } from "../runtime.js";
import type { AccountClient, AccountClientError, LoginProof } from "./account-client.js";
import { AccountSession } from "./account-session.js";

/** A recovery code that does not parse. */
export interface InvalidRecoveryCodeError {
  readonly code: "invalid-recovery-code";
  readonly message: string;
}

/** Any failure of an account flow. */
export type AccountFlowError =
  | AccountClientError
  | KdfRejectedError
  | BundleCorruptError
  | BundleLockedError
  | InvalidRecoveryCodeError;

/** What every flow takes. */
export interface AccountFlowOptions {
  readonly client: AccountClient;
  readonly random?: Random;
  /** Tiny Argon2id parameters: tests only. The normal minimum check refuses them. */
  readonly unsafeTestKdf?: boolean;
}

/** A signed-in device and the library it may now sync. */
export interface SignedIn {
  readonly session: AccountSession;
  readonly library: LibraryAccess;
  /**
   * The account's sharing key pair (X25519): what other riders seal shares to. Null after
   * pairing by link (the link carries only the library) or if the upgrade of an old
   * account's bundle failed; logging in with the password gets it.
   */
  readonly shareKeys: ShareKeyPair | null;
  /**
   * The vault key from the bundle (32 bytes): seals the saved session
   * (`persistSession`); keep it in the platform's key store. Null after pairing by link.
   */
  readonly vaultKey: Uint8Array | null;
}

/** A new account: its session, the recovery code to show once, and its keys. */
export interface Registered {
  readonly session: AccountSession;
  /** Show it once; it restores access after a forgotten password. */
  readonly recoveryCode: string;
  readonly shareKeys: ShareKeyPair;
  readonly vaultKey: Uint8Array;
}

/** What a flow resolves to. */
export type Flow<T> = Promise<Result<T, AccountFlowError>>;

/**
 * Creates an account for the vault whose library access is given (`vault.libraryAccess()`):
 * its existing library keys go into the bundle, nothing is re-encrypted. `vaultKey` keeps a
 * vault key the device has already (default: a new one).
 */
export async function registerAccount(
  options: AccountFlowOptions & {
    email: string;
    password: string;
    library: LibraryAccess;
    vaultKey?: Uint8Array;
  },
): Flow<Registered> {
  const sodium = await loadSodium();
  const random = options.random ?? systemRandom;
  const kdf = newKdf(sodium, options);
  const passwordKeys = derivePasswordKeys(sodium, options.password, kdf);
  const recoveryCode = createRecoveryCode(random);
  const recoveryKeys = deriveRecoveryKeys(sodium, parseRecoveryCode(recoveryCode) as Uint8Array);
  const shareKeys = createShareKeys(sodium);
  const secrets: AccountSecrets = {
    accountKey: random.bytes(32),
    vaultKey: options.vaultKey?.slice() ?? random.bytes(32),
    library: options.library,
    shareKeys,
  };
  const bundle = createAccountBundle(sodium, {
    secrets,
    passwordKey: passwordKeys.wrappingKey,
    recoveryKey: recoveryKeys.wrappingKey,
    random,
  });
  const tokens = await options.client.register({
    email: options.email,
    loginPublicKey: passwordKeys.loginPublicKey,
    recoveryPublicKey: recoveryKeys.loginPublicKey,
    kdf,
    bundle,
    sharePublicKey: shareKeys.publicKey,
  });
  if (!tokens.ok) return tokens;
  return ok({
    session: new AccountSession({
      client: options.client,
      tokens: tokens.value,
      email: options.email,
    }),
    recoveryCode,
    shareKeys,
    vaultKey: secrets.vaultKey,
  });
}

/** Logs in with email and password; the library access opens the rider's vault here. */
export async function logIn(
  options: AccountFlowOptions & { email: string; password: string },
): Flow<SignedIn> {
  const sodium = await loadSodium();
  const proved = await prove(sodium, options, { method: "password", password: options.password });
  if (!proved.ok) return proved;
  const signedIn = await signIn(sodium, options, proved.value);
  if (!signedIn.ok) return signedIn;
  return ok(signedInOf(signedIn.value));
}

/**
 * Changes the password: proves the current one, re-wraps the account key under the new one
 * (new salt), and signs out every other device. Nothing is re-encrypted.
 */
export async function changePassword(
  options: AccountFlowOptions & {
    session: AccountSession;
    email: string;
    currentPassword: string;
    newPassword: string;
  },
): Flow<void> {
  const sodium = await loadSodium();
  const proved = await prove(sodium, options, {
    method: "password",
    password: options.currentPassword,
  });
  if (!proved.ok) return proved;
  return setPassword(sodium, options, proved.value, options.newPassword);
}

/** Recovers with the recovery code after a forgotten password, and sets `newPassword`. */
export async function recoverAccount(
  options: AccountFlowOptions & { email: string; recoveryCode: string; newPassword: string },
): Flow<SignedIn> {
  const sodium = await loadSodium();
  const codeBytes = parseRecoveryCode(options.recoveryCode);
  if (!codeBytes)
    return err({
      code: "invalid-recovery-code",
      message: "that is not a recovery code: check its 32 characters",
    });
  const recovery = { method: "recovery" as const, keys: deriveRecoveryKeys(sodium, codeBytes) };
  const proved = await prove(sodium, options, recovery);
  if (!proved.ok) return proved;
  const signedIn = await signIn(sodium, options, proved.value);
  if (!signedIn.ok) return signedIn;
  const { session } = signedIn.value;
  const again = await prove(sodium, options, recovery);
  if (!again.ok) return again;
  const set = await setPassword(sodium, { ...options, session }, again.value, options.newPassword);
  if (!set.ok) return set;
  return ok(signedInOf(signedIn.value));
}

/** Deletes the account (after proving the password). */
export async function deleteAccount(
  options: AccountFlowOptions & { session: AccountSession; email: string; password: string },
): Flow<void> {
  const sodium = await loadSodium();
  const proved = await prove(sodium, options, { method: "password", password: options.password });
  if (!proved.ok) return proved;
  const token = await options.session.accessToken();
  if (!token.ok) return token;
  return options.client.deleteAccount(token.value, proved.value.proof);
}

interface Proved {
  readonly proof: LoginProof;
  readonly keys: DerivedAccountKeys;
}

type Credential =
  | { readonly method: "password"; readonly password: string }
  | { readonly method: "recovery"; readonly keys: DerivedAccountKeys };

// Fetches a challenge and signs it; the relay's KDF is checked before any password is used.
async function prove(
  sodium: Sodium,
  options: AccountFlowOptions & { email: string },
  credential: Credential,
): Flow<Proved> {
  const challenge = await options.client.startLogin(options.email);
  if (!challenge.ok) return challenge;
  let keys: DerivedAccountKeys;
  if (credential.method === "password") {
    const kdf = checkKdf(challenge.value.kdf, options);
    if (!kdf.ok) return kdf;
    keys = derivePasswordKeys(sodium, credential.password, kdf.value);
  } else {
    keys = credential.keys;
  }
  const signature = signLoginChallenge(
    sodium,
    keys.loginSecretKey,
    challenge.value.challengeId,
    challenge.value.challenge,
  );
  return ok({
    proof: { challengeId: challenge.value.challengeId, signature, method: credential.method },
    keys,
  });
}

interface Opened {
  readonly session: AccountSession;
  readonly secrets: AccountSecrets;
}

function signedInOf({ session, secrets }: Opened): SignedIn {
  return {
    session,
    library: secrets.library,
    shareKeys: secrets.shareKeys,
    vaultKey: secrets.vaultKey,
  };
}

async function signIn(
  sodium: Sodium,
  options: AccountFlowOptions & { email: string },
  proved: Proved,
): Flow<Opened> {
  const { client } = options;
  const tokens = await client.finishLogin(proved.proof);
  if (!tokens.ok) return tokens;
  const session = new AccountSession({ client, tokens: tokens.value, email: options.email });
  const bundle = await client.getBundle(tokens.value.accessToken);
  if (!bundle.ok) return bundle;
  const key = { wrappingKey: proved.keys.wrappingKey, method: proved.proof.method };
  const secrets = openAccountBundle(sodium, bundle.value.bundle, key);
  if (!secrets.ok) return secrets;
  const shareKeys =
    secrets.value.shareKeys ??
    (await addShareKeys(sodium, options, {
      accessToken: tokens.value.accessToken,
      bundle: bundle.value,
      accountKey: secrets.value.accountKey,
      key,
    }));
  // Idempotent, so a relay that missed it (an upload that failed once) gets it now; a
  // failure leaves the relay as it was and the login goes on.
  if (shareKeys) await client.putShareKey(tokens.value.accessToken, shareKeys.publicKey);
  return ok({ session, secrets: { ...secrets.value, shareKeys } });
}

/**
 * Gives an account made before sharing its sharing key pair, in the bundle (compare-and-set;
 * if another device did it meanwhile, theirs is used). Null when that fails: the login
 * still succeeds, and the next one tries again.
 */
async function addShareKeys(
  sodium: Sodium,
  options: AccountFlowOptions,
  input: {
    accessToken: string;
    bundle: { bundle: Uint8Array; version: number };
    accountKey: Uint8Array;
    key: { wrappingKey: Uint8Array; method: "password" | "recovery" };
  },
): Promise<ShareKeyPair | null> {
  const { client } = options;
  let shareKeys = createShareKeys(sodium);
  const upgraded = addShareKeyToBundle(sodium, input.bundle.bundle, {
    accountKey: input.accountKey,
    shareKeys,
    random: options.random ?? systemRandom,
  });
  if (!upgraded.ok) return null;
  const put = await client.putBundle(input.accessToken, upgraded.value, input.bundle.version);
  if (!put.ok) {
    if (put.error.code !== "bundle-conflict") return null;
    const current = await client.getBundle(input.accessToken);
    if (!current.ok) return null;
    const theirs = openAccountBundle(sodium, current.value.bundle, input.key);
    if (!theirs.ok || !theirs.value.shareKeys) return null;
    shareKeys = theirs.value.shareKeys;
  }
  return shareKeys;
}

async function setPassword(
  sodium: Sodium,
  options: AccountFlowOptions & { session: AccountSession },
  proved: Proved,
  newPassword: string,
): Flow<void> {
  const random = options.random ?? systemRandom;
  const token = await options.session.accessToken();
  if (!token.ok) return token;
  const current = await options.client.getBundle(token.value);
  if (!current.ok) return current;
  const secrets = openAccountBundle(sodium, current.value.bundle, {
    wrappingKey: proved.keys.wrappingKey,
    method: proved.proof.method,
  });
  if (!secrets.ok) return secrets;
  const kdf = newKdf(sodium, options);
  const next = derivePasswordKeys(sodium, newPassword, kdf);
  const bundle = rewrapAccountBundle(sodium, current.value.bundle, {
    accountKey: secrets.value.accountKey,
    passwordKey: next.wrappingKey,
    random,
  });
  if (!bundle.ok) return bundle;
  const changed = await options.client.changePassword(token.value, {
    proof: proved.proof,
    loginPublicKey: next.loginPublicKey,
    kdf,
    bundle: bundle.value,
    expectedBundleVersion: current.value.version,
  });
  return changed.ok ? ok(undefined) : changed;
}
