/**
 * Who may read a document, decided when a device subscribes. Two ways in: the document's
 * access secret (its registered hash matches; the owner's devices, DESIGN.md §4), or a
 * share grant's capability (docs/sharing.md): the relay finds the grant by the hash of what
 * the device presented, checks it names the document, has not expired and — when it was
 * made for a known rider — that the connection speaks for that rider. A document hidden from
 * the caller by the access policy and opened by no grant is answered like a missing one.
 */
import type { ErrorCode } from "@ridevault/core/protocol";
import type { ProtocolDocument } from "./push-checks.js";
import type { RelayOptions } from "./relay-types.js";

/** How a subscription was let in. */
export type SubscriptionAccess =
  | { readonly kind: "secret" }
  | {
      readonly kind: "grant";
      readonly grantId: string;
      readonly mode: "read" | "write";
      readonly expiresAt: number | null;
    };

/** The outcome of `decideAccess`. */
export type AccessDecision =
  | { readonly ok: true; readonly doc: ProtocolDocument; readonly access: SubscriptionAccess }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** Decides whether `principal`, presenting `secret`, may read `docId`. */
export async function decideAccess(input: {
  readonly docId: string;
  readonly secret: Uint8Array;
  readonly principal: string | null;
  readonly now: number;
  readonly options: RelayOptions;
}): Promise<AccessDecision> {
  const { docId, principal, options } = input;
  const missing: AccessDecision = {
    ok: false,
    code: "unknown-document",
    message: `document ${docId} is not registered on this relay`,
  };
  const doc = await options.store.getDocument(docId);
  if (!doc) return missing;
  const visible = options.policy?.mayAccess?.(principal, doc.owner ?? null) !== false;
  const hash = options.hashAccessSecret(input.secret);
  if (visible && equalBytes(hash, doc.accessHash))
    return { ok: true, doc, access: { kind: "secret" } };
  const grant = await options.store.grantByCapability?.(hash);
  if (
    grant?.docIds.includes(docId) &&
    (grant.recipient === null || grant.recipient === principal)
  ) {
    if (grant.expiresAt !== null && input.now >= grant.expiresAt) {
      return { ok: false, code: "forbidden", message: expiredMessage(grant.expiresAt) };
    }
    return {
      ok: true,
      doc,
      access: {
        kind: "grant",
        grantId: grant.grantId,
        mode: grant.mode,
        expiresAt: grant.expiresAt,
      },
    };
  }
  if (!visible) return missing;
  return {
    ok: false,
    code: "forbidden",
    message: "the access secret does not match this document",
  };
}

/**
 * Why a connection may not push to a document it subscribed to through a grant: a read-only
 * share (`read-only`), or one that expired (`forbidden`, ending the subscription); undefined
 * when it may (also for subscriptions by access secret, whose pushes need only a signature).
 */
export function grantPushRefusal(
  access: SubscriptionAccess | undefined,
  now: number,
): { code: "read-only" | "forbidden"; message: string } | undefined {
  if (access?.kind !== "grant") return undefined;
  if (access.mode === "read") {
    return {
      code: "read-only",
      message: "this share is read-only: its holder cannot change the document",
    };
  }
  if (access.expiresAt !== null && now >= access.expiresAt) {
    return { code: "forbidden", message: expiredMessage(access.expiresAt) };
  }
  return undefined;
}

/** The refusal of a share used after its expiry. */
export function expiredMessage(expiresAt: number): string {
  return `this share expired at ${new Date(expiresAt).toISOString()}: ask its owner for a new link`;
}

/** Constant-time comparison of two byte strings. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
