/**
 * The checks a relay connection makes on a pushed envelope before it stores or relays it:
 * the bytes are an envelope, of the document and kind the frame names, for a document this
 * caller may see, signed by that document's write key, and (for a snapshot) covering only
 * sequence numbers the document has. Pure apart from the document lookup and the signature
 * check it is given, so the Node and Workers relays refuse alike.
 */
import type { ClientMessage, ErrorCode } from "@ridevault/core/protocol";
import type { EnvelopeFacts, EnvelopeInspector, ProtocolStore } from "./relay-types.js";

/** A document as the protocol store returns it. */
export type ProtocolDocument = NonNullable<Awaited<ReturnType<ProtocolStore["getDocument"]>>>;

/** Why a push is refused: the error code and message the device is sent. */
export interface PushRefusal {
  readonly code: ErrorCode;
  readonly message: string;
}

/** A push that passed every check: the envelope's facts and its document. */
export interface CheckedPush {
  readonly facts: EnvelopeFacts;
  readonly doc: ProtocolDocument;
}

/**
 * Checks a `push` or `ephemeral` frame; `findDocument` answers undefined for a document that
 * is missing or hidden from this caller.
 */
export async function checkPush(
  message: Extract<ClientMessage, { type: "push" | "ephemeral" }>,
  inspector: EnvelopeInspector,
  findDocument: (docId: string) => Promise<ProtocolDocument | undefined>,
): Promise<{ ok: true; value: CheckedPush } | { ok: false; error: PushRefusal }> {
  const refuse = (code: ErrorCode, text: string) =>
    ({ ok: false, error: { code, message: text } }) as const;
  const facts = inspector.inspect(message.envelope);
  if (!facts.ok) return refuse("bad-frame", `not an envelope: ${facts.message}`);
  const { docId, kind } = facts.value;
  if (docId !== message.docId)
    return refuse("bad-frame", "the envelope belongs to another document");
  if ((message.type === "ephemeral") !== (kind === "ephemeral")) {
    return refuse("bad-frame", `a ${kind} envelope cannot be sent as ${message.type}`);
  }
  const doc = await findDocument(docId);
  if (!doc) {
    return refuse("unknown-document", `document ${docId} is not registered on this relay`);
  }
  const generation = doc.generation ?? 0;
  if (facts.value.generation < generation) {
    return refuse(
      "key-rotated",
      `the document's keys were rotated to generation ${generation} (this envelope has ${facts.value.generation}): seal it again with the new keys`,
    );
  }
  if (!(await inspector.verify(message.envelope, doc.writePublicKey))) {
    return refuse("bad-signature", "the envelope is not signed by this document's write key");
  }
  const covers = facts.value.coversSeq;
  if (kind === "snapshot" && (covers === null || covers < 1 || covers > doc.lastSeq)) {
    return refuse("bad-frame", `a snapshot must cover 1–${doc.lastSeq}, not ${String(covers)}`);
  }
  return { ok: true, value: { facts: facts.value, doc } };
}
