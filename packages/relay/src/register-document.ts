/**
 * A device registers a new document: the policy may require an account to create one, the
 * account's limits may refuse it (rate, document count), and a document id taken with
 * another write key is refused; registering again with the same key is idempotent.
 */
import type { ClientMessage, ErrorCode, RelayMessage } from "@ridevault/core/protocol";
import type { RelayOptions } from "./relay-types.js";

/** What to answer, and whether the account's limits refused the creation. */
export type RegisterOutcome =
  | { readonly reply: RelayMessage; readonly limited?: undefined }
  | { readonly reply: RelayMessage; readonly limited: { code: ErrorCode; message: string } };

/** Registers the document of `message` for `principal`, answering as the protocol says. */
export async function registerDocument(
  message: Extract<ClientMessage, { type: "register" }>,
  principal: string | null,
  options: RelayOptions,
  now: number,
): Promise<RegisterOutcome> {
  const { store, policy } = options;
  const error = (code: ErrorCode, text: string): RelayMessage => ({
    type: "error",
    id: message.id,
    code,
    message: text,
    docId: message.docId,
  });
  if (policy?.mayCreate?.(principal) === false) {
    return {
      reply: error(
        "forbidden",
        "this relay needs an account to create documents: log in, then reconnect",
      ),
    };
  }
  if (policy?.admit && !(await store.getDocument(message.docId))) {
    const refusal = await policy.admit(principal, { kind: "create" });
    if (refusal) return { reply: error(refusal.code, refusal.message), limited: refusal };
  }
  const result = await store.registerDocument({
    docId: message.docId,
    writePublicKey: message.writePublicKey,
    accessHash: message.accessHash,
    owner: principal,
    createdAt: now,
  });
  if (!result.ok) return { reply: error("document-exists", result.error.message) };
  const doc = await store.getDocument(message.docId);
  return {
    reply: {
      type: "ack",
      id: message.id,
      docId: message.docId,
      seq: doc?.lastSeq ?? 0,
      duplicate: result.value === "exists",
    },
  };
}
