/**
 * Outbox envelopes after a key rotation (docs/sharing.md): when a document's keys rotate,
 * envelopes this device sealed with an older generation but the relay had not yet
 * acknowledged would be refused (`key-rotated`). They are opened with the old keys, which
 * the device still holds, and sealed again with the newest generation under the same
 * author counter — so a retry of one the relay did store stays a duplicate, and nothing
 * written offline is lost.
 */
import { canWrite, type DocumentKeys } from "../crypto/document-keys.js";
import { openEnvelope, sealEnvelope } from "../crypto/envelope.js";
import { decodeEnvelope } from "../crypto/envelope-format.js";
import type { Sodium } from "../crypto/sodium.js";
import type { Random } from "../runtime.js";
import type { OutboxEntry } from "./sync-store.js";

/** What happened to each outbox entry that needed resealing. */
export interface ResealOutcome {
  /** Entries sealed again with the newest keys (replace the old ones). */
  readonly resealed: OutboxEntry[];
  /** Entries that cannot be opened or sealed (dropped, with the reason). */
  readonly dropped: { readonly entry: OutboxEntry; readonly reason: string }[];
}

/** Reseals the entries of `pending` older than `newest`'s generation. */
export function resealOutbox(
  sodium: Sodium,
  options: {
    readonly pending: readonly OutboxEntry[];
    readonly keys: ReadonlyMap<number, DocumentKeys>;
    readonly newest: DocumentKeys;
    readonly random: Random;
  },
): ResealOutcome {
  const { newest } = options;
  const resealed: OutboxEntry[] = [];
  const dropped: { entry: OutboxEntry; reason: string }[] = [];
  for (const entry of options.pending) {
    const decoded = decodeEnvelope(entry.envelope);
    if (!decoded.ok || decoded.value.header.generation >= newest.generation) continue;
    const opened = openEnvelope(sodium, entry.envelope, options.keys);
    if (!opened.ok) {
      dropped.push({ entry, reason: opened.error.message });
      continue;
    }
    if (!canWrite(newest)) {
      dropped.push({ entry, reason: "this device can no longer write the document" });
      continue;
    }
    const sealed = sealEnvelope(sodium, {
      header: { ...opened.value.header, generation: newest.generation },
      plaintext: opened.value.plaintext,
      keys: newest,
      random: options.random,
    });
    if (!sealed.ok) dropped.push({ entry, reason: sealed.error.message });
    else resealed.push({ ...entry, envelope: sealed.value });
  }
  return { resealed, dropped };
}
