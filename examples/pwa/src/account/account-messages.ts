/**
 * What the account screens say when an account request fails: one sentence per error code,
 * saying what happened and what to do. A wrong password and an unknown email get the same
 * sentence (the relay answers both with `invalid-credentials`, so nobody can probe which
 * emails have accounts); codes without a sentence of their own show the relay's message.
 */

import type { Resumed } from "./saved-account.js";

/** Why a device is signed out after the relay ended its session elsewhere. */
export const ENDED_ELSEWHERE =
  "This device was signed out: the password was changed, or you logged out of every device, elsewhere. Log in again to sync.";

/** Why a reloaded device is signed out when it kept no session. */
export const NOT_KEPT =
  "This device kept no session: it joined by a pairing link, or you logged out. Log in with your password once to stay signed in on this device.";

/** An account failure as the core flows report it. */
export interface AccountProblem {
  readonly code: string;
  readonly message: string;
}

const MESSAGES: Readonly<Record<string, string>> = {
  "invalid-credentials": "Wrong email or password. Check both and try again.",
  "rate-limited": "Too many attempts from this network. Wait a minute, then try again.",
  network:
    "The relay cannot be reached. Check your connection (or the relay URL under Sync & devices) and try again.",
  "email-taken": "An account with this email already exists. Log in instead.",
  "invalid-recovery-code":
    "That is not a recovery code: it has 32 letters and digits, like XXXX-XXXX-XXXX-…. Check it and try again.",
  "bundle-locked":
    "That password or recovery code does not open this account's keys; was it changed on another device? Try the current one.",
  "bundle-corrupt":
    "The account's key bundle on the relay is damaged; this device cannot open it. Log in from a device that still works and change the password.",
  "kdf-rejected":
    "The relay asked for password settings weaker than this app accepts, so your password was not used. Use a relay you trust.",
  "pairing-invalid":
    "This pairing link was already used or has expired (links last 10 minutes). Make a new one on your other device.",
  "invalid-pairing-link":
    "That is not a ridevault pairing link. Copy the whole link (or scan the code) again.",
  "pairing-corrupt": "This pairing link does not open: copy the whole link again.",
  "signed-out": "This device is signed out of the account. Log in again.",
  "refresh-invalid": "This device is signed out of the account. Log in again.",
  "refresh-reused": "This device was signed out for safety. Log in again.",
  "invalid-token": "This device is signed out of the account. Log in again.",
  "origin-not-allowed":
    "The relay refuses requests from this page's address. Open the app from the relay's own address.",
  "not-found": "The relay has no account endpoints. Is accounts support turned on for this relay?",
  "bad-response": "The relay sent an unexpected answer. Is the relay URL right?",
};

/** The sentence to show for `problem`. */
export function accountMessage(problem: AccountProblem): string {
  return MESSAGES[problem.code] ?? `${capitalize(problem.message)}.`;
}

function capitalize(text: string): string {
  const trimmed = text.replace(/\.$/, "");
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}

/** Checks a new password typed twice; the sentence to show, or null when it is fine. */
export function checkNewPassword(password: string, again: string): string | null {
  if (password.length < 8) return "Choose a password of at least 8 characters.";
  if (password !== again) return "The two passwords differ. Type the same password twice.";
  return null;
}

/** Why a saved session was not resumed at start-up (for the signed-out screen). */
export function notResumedReason(
  resumed: Exclude<Resumed, { readonly kind: "resumed" | "failed" }>,
): string {
  switch (resumed.kind) {
    case "signed-out":
      return ENDED_ELSEWHERE;
    case "unusable":
      return accountMessage({ code: "unusable", message: resumed.message });
    case "other-tab":
      return "ridevault is open in another tab, which keeps this device signed in. Use that tab, or close it and reload this one.";
    case "none":
      return NOT_KEPT;
  }
}
