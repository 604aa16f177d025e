/**
 * What a rider does with an account, end to end on the device (DESIGN.md §3):
 *
 * - `registerAccount`: new account key and vault key, the vault's library access sealed
 *   into a bundle wrapped by the password (Argon2id) and by a new recovery code (shown
 *   once); the relay receives only public keys, the KDF parameters and the bundle.
 * - `logIn`: challenge → KDF checked against this device's minimum → login key signs →
 *   tokens → bundle → library access, for `openVault({ join: access })`.
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
  type BundleCorruptError,
  type BundleLockedError,
  createAccountBundle,
  type LibraryAccess,
  openAccountBundle,
  rewrapAccountBundle,
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
}

type Flow<T> = Promise<Result<T, AccountFlowError>>;

/** Creates an account for the vault whose library access is given (`vault.libraryAccess()`). */
export async function registerAccount(
  options: AccountFlowOptions & { email: string; password: string; library: LibraryAccess },
): Flow<{ session: AccountSession; recoveryCode: string }> {
  const sodium = await loadSodium();
  const random = options.random ?? systemRandom;
  const kdf = newKdf(sodium, options);
  const passwordKeys = derivePasswordKeys(sodium, options.password, kdf);
  const recoveryCode = createRecoveryCode(random);
  const recoveryKeys = deriveRecoveryKeys(sodium, parseRecoveryCode(recoveryCode) as Uint8Array);
  const secrets: AccountSecrets = {
    accountKey: random.bytes(32),
    vaultKey: random.bytes(32),
    library: options.library,
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
  });
  if (!tokens.ok) return tokens;
  return ok({
    session: new AccountSession({ client: options.client, tokens: tokens.value }),
    recoveryCode,
  });
}

/** Logs in with email and password; the library access opens the rider's vault here. */
export async function logIn(
  options: AccountFlowOptions & { email: string; password: string },
): Flow<SignedIn> {
  const sodium = await loadSodium();
  const proved = await prove(sodium, options, { method: "password", password: options.password });
  if (!proved.ok) return proved;
  const signedIn = await signIn(sodium, options.client, proved.value);
  if (!signedIn.ok) return signedIn;
  return ok({ session: signedIn.value.session, library: signedIn.value.secrets.library });
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
  const signedIn = await signIn(sodium, options.client, proved.value);
  if (!signedIn.ok) return signedIn;
  const { session, secrets } = signedIn.value;
  const again = await prove(sodium, options, recovery);
  if (!again.ok) return again;
  const set = await setPassword(sodium, { ...options, session }, again.value, options.newPassword);
  if (!set.ok) return set;
  return ok({ session, library: secrets.library });
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

async function signIn(
  sodium: Sodium,
  client: AccountClient,
  proved: Proved,
): Flow<{ session: AccountSession; secrets: AccountSecrets; version: number }> {
  const tokens = await client.finishLogin(proved.proof);
  if (!tokens.ok) return tokens;
  const session = new AccountSession({ client, tokens: tokens.value });
  const bundle = await client.getBundle(tokens.value.accessToken);
  if (!bundle.ok) return bundle;
  const secrets = openAccountBundle(sodium, bundle.value.bundle, {
    wrappingKey: proved.keys.wrappingKey,
    method: proved.proof.method,
  });
  if (!secrets.ok) return secrets;
  return ok({ session, secrets: secrets.value, version: bundle.value.version });
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
