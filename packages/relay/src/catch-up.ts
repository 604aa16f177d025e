/**
 * A subscription's catch-up: the stored envelopes a device lacks, read page by page and sent
 * in order — the newest covering snapshot first, then the changes after what it covers — with
 * the highest sequence number sent kept up to date, so live envelopes queued meanwhile are
 * not sent twice and `caught-up` names the right position.
 */
import { encodeRelayMessage } from "@ridevault/core/protocol";
import type { ProtocolStore } from "./relay-types.js";

/** Sends the stored envelopes of `docId` after `afterSeq`; returns the highest seq covered. */
export async function sendCatchUp(input: {
  readonly store: ProtocolStore;
  readonly docId: string;
  readonly afterSeq: number;
  /** Envelopes per store read. */
  readonly page: number;
  readonly send: (frame: Uint8Array) => void;
  /** Stops paging once true (the connection closed). */
  readonly closed: () => boolean;
  /** Called with the highest sequence number sent or covered so far. */
  readonly sent: (seq: number) => void;
}): Promise<void> {
  const { store, docId, page } = input;
  let after = input.afterSeq;
  for (;;) {
    const items = await store.read({ docId, afterSeq: after, limit: page });
    for (const item of items) {
      input.send(
        encodeRelayMessage({ type: "envelope", docId, seq: item.seq, envelope: item.envelope }),
      );
      // A snapshot (stored at seq S, covering up to C < S) is followed by the changes after
      // C, so the cursor moves to C for a snapshot and to the seq for a change; everything a
      // snapshot covers counts as sent (so caught-up says so, too).
      const covered = item.kind === "snapshot" ? (item.coversSeq ?? 0) : item.seq;
      after = Math.max(after, covered);
      input.sent(covered);
    }
    if (items.length < page || input.closed()) break;
  }
}
