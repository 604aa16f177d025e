/**
 * Document set-up shared by the protocol-level tests: registering a document over a
 * `RawClient` and sealing the envelopes the tests push, so each test file states only what
 * differs (its document, keys, counters and payloads).
 */
import {
  type DocumentKeys,
  deriveAccessSecret,
  hashAccessSecret,
  type Sodium,
  sealEnvelope,
  unwrap,
} from "@ridevault/core";
import type { RawClient } from "./raw-client.js";

/** The device id `connectRaw` says hello with by default, used as the envelopes' author. */
export const RAW_AUTHOR = "0123456789abcdef";

/** Registers `docId` (owned by `keys`) as frame `id` and waits for the relay's ack. */
export async function registerRaw(
  client: RawClient,
  sodium: Sodium,
  docId: string,
  keys: DocumentKeys,
  id = 2,
): Promise<void> {
  client.send({
    type: "register",
    id,
    docId,
    writePublicKey: keys.writePublicKey,
    accessHash: hashAccessSecret(sodium, deriveAccessSecret(sodium, keys.readKey)),
  });
  await client.next((m) => m.type === "ack" && m.id === id);
}

/** What `sealTestEnvelope` seals. */
export interface TestEnvelope {
  readonly docId: string;
  readonly keys: DocumentKeys;
  readonly counter: number;
  /** A change unless said otherwise. */
  readonly kind?: { kind: "change" | "ephemeral" } | { kind: "snapshot"; coversSeq: number };
  readonly plaintext: Uint8Array;
  /** The author device (default `RAW_AUTHOR`). */
  readonly author?: string;
}

/** Seals one envelope for a test to push; throws if sealing fails. */
export function sealTestEnvelope(sodium: Sodium, envelope: TestEnvelope): Uint8Array {
  return unwrap(
    sealEnvelope(sodium, {
      header: {
        ...(envelope.kind ?? { kind: "change" }),
        docId: envelope.docId,
        generation: envelope.keys.generation,
        authorDevice: (envelope.author ?? RAW_AUTHOR) as never,
        counter: envelope.counter,
      },
      plaintext: envelope.plaintext,
      keys: envelope.keys,
    }),
  );
}
