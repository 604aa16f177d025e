/**
 * The app's sharing steps, over core's `vault.shares` and `vault.sharedWithMe`: the share
 * link in the address (`#share=…`), the expiry a rider picks, sharing with a rider by email,
 * accepting what was shared with the signed-in account, and the sentences shown when any of
 * it fails. The pages only call these and render.
 */
import {
  AccountClient,
  type AccountLookup,
  type IncomingShareInfo,
  type ShareClient,
  type Vault,
} from "@ridevault/core/browser";

/** A sharing step's result: a value, or the sentence to show. */
export type ShareOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

/** The expiry choices of the share dialog. */
export type ExpiryChoice = "never" | "1d" | "7d" | "30d" | "custom";

const DAY_MS = 24 * 3600 * 1000;
const DAYS: Record<Exclude<ExpiryChoice, "never" | "custom">, number> = {
  "1d": 1,
  "7d": 7,
  "30d": 30,
};

/**
 * When a share chosen as `choice` expires (ms since the epoch), null for never; a custom
 * date (`YYYY-MM-DD`) lasts to the end of that day, local time.
 */
export function expiryFrom(
  choice: ExpiryChoice,
  customDate: string,
  now: number,
): ShareOutcome<number | null> {
  if (choice === "never") return { ok: true, value: null };
  if (choice !== "custom") return { ok: true, value: now + DAYS[choice] * DAY_MS };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(customDate);
  if (!match) return { ok: false, message: "Pick the date the share should end." };
  const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1).getTime();
  if (!(end > now)) return { ok: false, message: "That date has passed: pick a later one." };
  return { ok: true, value: end };
}

/** The share link in a URL's fragment (`…#share=rvshare1…`), or null. */
export function shareLinkInHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, "")).get("share");
  return token ? token.trim() : null;
}

/** The sentence for a failed sharing step, saying what to do. */
export function shareMessage(error: { readonly code: string; readonly message: string }): string {
  switch (error.code) {
    case "share-link-invalid":
      return "This share link is not valid: it may be cut short. Ask for the link again and paste all of it.";
    case "not-found":
      return "This share was revoked: its owner stopped sharing it (or it is for another rider: log in as them).";
    case "share-expired":
      return "This share has expired. Ask its owner for a new link.";
    case "not-synced":
      return "This ride has not reached the relay yet: wait until the header says synced, then share it.";
    case "not-writer":
      return "This ride was shared with you: only its owner can share it or revoke its shares.";
    case "network":
      return "The relay cannot be reached. Check the connection (or the relay under Sync & devices) and try again.";
    default:
      return `${error.message} (${error.code})`;
  }
}

/** Adds the share of `link` to `vault`; resolves to the first workout it opens. */
export async function openShareLink(
  vault: Vault,
  client: ShareClient,
  link: string,
): Promise<ShareOutcome<{ share: IncomingShareInfo; workoutId: string | null }>> {
  const opened = await vault.sharedWithMe.open(client, link);
  if (!opened.ok) return { ok: false, message: shareMessage(opened.error) };
  return {
    ok: true,
    value: { share: opened.value, workoutId: opened.value.workoutIds[0] ?? null },
  };
}

/** What sharing with a known rider needs from the signed-in account. */
export interface RiderSharing {
  readonly relayUrl: string;
  /** The signed-in account's access token, or null when not signed in. */
  readonly accessToken: string | null;
  readonly ownEmail: string | null;
}

/** Finds the account of `email`, to share with; a sentence when that cannot be done. */
export async function findRider(
  sharing: RiderSharing,
  email: string,
): Promise<ShareOutcome<AccountLookup>> {
  const wanted = email.trim();
  if (!sharing.accessToken)
    return {
      ok: false,
      message: "Log in under Account to share with a rider by email (a link works without one).",
    };
  if (!wanted.includes("@")) return { ok: false, message: "Enter the rider's email address." };
  if (sharing.ownEmail && wanted.toLowerCase() === sharing.ownEmail.toLowerCase())
    return {
      ok: false,
      message: "That is your own account: your devices see your rides already.",
    };
  const found = await new AccountClient({ baseUrl: sharing.relayUrl }).lookupAccount(
    sharing.accessToken,
    wanted,
  );
  if (found.ok) return { ok: true, value: found.value };
  if (found.error.code === "not-found" || found.error.status === 404)
    return {
      ok: false,
      message: `No rider has an account with ${wanted} on this relay (or they have not logged in since sharing arrived). Check the address, or send them a link instead.`,
    };
  return { ok: false, message: shareMessage(found.error) };
}

/**
 * Adds the shares other riders made for the signed-in account; resolves to how many were
 * new. Owners are named by their email when the relay says it.
 */
export async function acceptSharedRides(options: {
  readonly vault: Vault;
  readonly client: ShareClient;
  readonly relayUrl: string;
  readonly accessToken: string | null;
  readonly shareKeys: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array } | null;
}): Promise<ShareOutcome<number>> {
  const { accessToken, shareKeys } = options;
  if (!accessToken)
    return { ok: false, message: "Log in under Account to receive rides shared with you." };
  if (!shareKeys)
    return {
      ok: false,
      message:
        "This device was paired by link, so it lacks your account's sharing key: log in with your password to receive rides shared with you.",
    };
  const accounts = new AccountClient({ baseUrl: options.relayUrl });
  const accepted = await options.vault.sharedWithMe.acceptIncoming(
    options.client,
    shareKeys,
    async (accountId) => {
      const profile = await accounts.accountProfile(accessToken, accountId);
      return profile.ok ? profile.value.email : null;
    },
  );
  return accepted.ok
    ? { ok: true, value: accepted.value.length }
    : { ok: false, message: shareMessage(accepted.error) };
}
