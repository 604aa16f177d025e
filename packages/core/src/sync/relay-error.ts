/**
 * What the sync engine does when the relay answers with an `error` frame (docs/protocol.md,
 * Error codes). A pure decision from the request it answers, the error, and what the engine
 * knows of the document, to a list of actions the engine carries out in order — so every
 * case can be checked without a relay.
 */
import type { ErrorCode } from "./protocol.js";
import { retryAfterMs } from "./retry-delays.js";
import type { SyncRequest } from "./sync-connection.js";

/** An `error` frame, and what the engine knows of the document it concerns. */
export interface RelayErrorInput {
  /** The request it answers; undefined for an unasked error (id 0) or a forgotten request. */
  readonly request: SyncRequest | undefined;
  readonly code: ErrorCode;
  readonly message: string;
  /** The document is followed by the engine. */
  readonly tracked: boolean;
  /** The document waits out a refused registration. */
  readonly registerHeld: boolean;
  /** The document is read through a share (never registered by this device). */
  readonly shared?: boolean;
}

/** One step of the engine's reaction. */
export type RelayErrorAction =
  /** Show the relay's error in `status.lastError`. */
  | { readonly kind: "report" }
  /** The refused push is no longer in flight (it stays in the outbox). */
  | { readonly kind: "forget-push" }
  /** The relay ended the subscription (a share revoked or expired). */
  | { readonly kind: "unsubscribed" }
  /** Ask the source for the document's keys again (`refreshKeys`). */
  | { readonly kind: "refresh-keys" }
  /**
   * The relay lost the document: start it over there — `resend` seals it whole into the
   * outbox again, `restart` registers and subscribes it now.
   */
  | { readonly kind: "start-over"; readonly resend: boolean; readonly restart: boolean }
  /** The push can never be accepted: remove it from the outbox. */
  | { readonly kind: "drop-push" }
  /** The relay failed: close the connection, which reconnects with backoff. */
  | { readonly kind: "reconnect" }
  /** Register the document again later; report it with the wait. */
  | { readonly kind: "hold-register"; readonly retryAfterMs: number | null }
  /** Push the document's outbox again later on this connection; report it with the wait. */
  | { readonly kind: "retry-pushes"; readonly retryAfterMs: number | null };

/** Refusals of a `register` that the engine waits out rather than answering at once. */
const REGISTER_REFUSALS: readonly ErrorCode[] = ["forbidden", "rate-limited", "quota-exceeded"];
/** Refusals of a `push` that a later try on the same connection may overcome. */
const PUSH_LIMITS: readonly ErrorCode[] = ["rate-limited", "quota-exceeded"];

/** The engine's reaction to an `error` frame, in order. */
export function relayErrorActions(input: RelayErrorInput): RelayErrorAction[] {
  const { request, code, tracked } = input;
  const actions: RelayErrorAction[] = [];
  const wait = retryAfterMs(input.message);
  const registerRefused =
    tracked && request?.kind === "register" && REGISTER_REFUSALS.includes(code);
  const pushLimited = tracked && request?.kind === "push" && PUSH_LIMITS.includes(code);
  // A subscribe sent right behind a refused register fails for the same reason (or as
  // `unknown-document`); the held registration's report says what happened and when the
  // document is tried again, so this one must neither hide it nor restart the document.
  const behindRefusedRegister =
    tracked &&
    input.registerHeld &&
    request?.kind === "subscribe" &&
    (code === "unknown-document" || REGISTER_REFUSALS.includes(code));
  if (registerRefused) actions.push({ kind: "hold-register", retryAfterMs: wait });
  else if (pushLimited) actions.push({ kind: "retry-pushes", retryAfterMs: wait });
  else if (!behindRefusedRegister) actions.push({ kind: "report" });
  if (request?.kind === "push") actions.push({ kind: "forget-push" });
  if (!request && tracked && code === "forbidden") {
    // The relay ended a subscription (a share revoked or expired): ask the source.
    actions.push({ kind: "unsubscribed" }, { kind: "refresh-keys" });
  }
  if (tracked && input.shared && code === "unknown-document") {
    // A shared document the relay no longer has (its owner deleted it): not ours to
    // register again; the source learns from the share whether it ended.
    actions.push({ kind: "refresh-keys" });
  } else if (tracked && code === "unknown-document" && request?.kind !== "register") {
    // The relay lost the document (a new or restored relay): register it again; the
    // outbox is re-sent once the new subscription has caught up. A document waiting out a
    // refused registration is started by its timer instead.
    const resend = request?.kind === "subscribe";
    actions.push({ kind: "start-over", resend, restart: resend && !input.registerHeld });
  }
  if (
    tracked &&
    (code === "key-rotated" || (code === "forbidden" && request?.kind === "subscribe"))
  ) {
    // Keys rotated elsewhere: the outbox keeps the envelope until new keys arrive and it
    // is sealed again.
    actions.push({ kind: "refresh-keys" });
  }
  if (request?.kind === "push" && code === "bad-signature") {
    // It can never be accepted: these keys cannot write this document.
    actions.push({ kind: "drop-push" });
  } else if (code === "internal") {
    actions.push({ kind: "reconnect" });
  }
  return actions;
}
