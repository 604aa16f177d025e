/**
 * What the relay-store acceptance suite shares between its parts: the factory each store
 * provides, and builders for registrations, envelopes, rotations and grants whose bytes say
 * where they came from, so a test can tell which one it got back.
 */
import { expect } from "vitest";
import type {
  AppendInput,
  DocumentRegistration,
  GrantRecord,
  ReadItem,
  RelayStore,
  RotateInput,
  StoreError,
} from "./relay-store.js";

/**
 * Makes a fresh, empty store. `reopen` gives a new instance over the same data, as after a
 * restart; the suite closes the previous instance before calling it. `teardown` removes
 * whatever `create` made, once every instance is closed.
 */
export interface RelayStoreFactory {
  create(): Promise<{
    store: RelayStore;
    reopen: () => Promise<RelayStore>;
    teardown?: () => Promise<void>;
  }>;
}

/** Three author devices. */
export const AUTHORS = ["a1a1a1a1a1a1a1a1", "b2b2b2b2b2b2b2b2", "0123456789abcdef"] as const;

/** Author `i` (an index into `AUTHORS`). */
export function author(i: number): string {
  return AUTHORS[i % AUTHORS.length] as string;
}

/** A registration of `docId` with a write key derived from `keyByte`. */
export function registration(docId: string, keyByte = 1): DocumentRegistration {
  return {
    docId,
    writePublicKey: new Uint8Array(32).fill(keyByte),
    accessHash: new Uint8Array(32).fill(0xaa),
    owner: "rider-1",
    createdAt: 1_750_000_000_000,
  };
}

/** Registers every id and fails the test on an error. */
export async function registerAll(store: RelayStore, ...docIds: string[]): Promise<void> {
  for (const docId of docIds) {
    const result = await store.registerDocument(registration(docId));
    expect(result.ok).toBe(true);
  }
}

/** Envelope bytes that name their document, author, counter and kind (and a padding). */
export function envelopeBytes(docId: string, authorId: string, counter: number, kind = "c") {
  return new TextEncoder().encode(`${kind}|${docId}|${authorId}|${counter}|`.padEnd(48, "."));
}

/** A change envelope. */
export function change(docId: string, authorId: string, counter: number): AppendInput {
  return {
    docId,
    author: authorId,
    counter,
    kind: "change",
    coversSeq: null,
    envelope: envelopeBytes(docId, authorId, counter),
    receivedAt: 1_750_000_000_000 + counter,
  };
}

/** A snapshot envelope covering every sequence number up to `coversSeq`. */
export function snapshot(
  docId: string,
  authorId: string,
  counter: number,
  coversSeq: number,
): AppendInput {
  return {
    ...change(docId, authorId, counter),
    kind: "snapshot",
    coversSeq,
    envelope: envelopeBytes(docId, authorId, counter, `s${coversSeq}`),
  };
}

/**
 * Catches up from `afterSeq` page by page the way a relay does: after a snapshot continue
 * from what it covers, after a change from its seq. Returns every item, in order.
 */
export async function readAll(
  store: RelayStore,
  docId: string,
  afterSeq = 0,
  limit = 1000,
): Promise<ReadItem[]> {
  const items: ReadItem[] = [];
  let after = afterSeq;
  for (let pages = 0; ; pages++) {
    if (pages > 10_000) throw new Error("readAll: the store keeps returning items");
    const page = await store.read({ docId, afterSeq: after, limit });
    expect(page.length).toBeLessThanOrEqual(limit);
    for (const item of page) {
      items.push(item);
      after = item.kind === "snapshot" ? (item.coversSeq ?? after) : item.seq;
    }
    if (page.length < limit) return items;
  }
}

/** The sequence numbers of `items`. */
export function seqs(items: readonly ReadItem[]): number[] {
  return items.map((item) => item.seq);
}

/** Unwraps an `ok` result, failing the test otherwise. */
export function value<T>(
  result:
    | { readonly ok: true; readonly value: T }
    | { readonly ok: false; readonly error: StoreError },
): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** A rotation of `docId` to `generation`, whose keys are filled with the generation. */
export function rotation(
  docId: string,
  generation: number,
  grants: Partial<Pick<RotateInput, "revoke" | "keyrings">> = {},
): RotateInput {
  return {
    docId,
    generation,
    writePublicKey: new Uint8Array(32).fill(generation % 256),
    accessHash: new Uint8Array(32).fill((generation + 128) % 256),
    revoke: grants.revoke ?? [],
    keyrings: grants.keyrings ?? [],
  };
}

/** The id of grant `n`: 32 lowercase hex digits. */
export function grantId(n: number): string {
  return n.toString(16).padStart(32, "0");
}

/** Grant `n` opening `docIds`: its capability hash and keyring say `n`. */
export function grant(
  n: number,
  docIds: readonly string[],
  overrides: Partial<GrantRecord> = {},
): GrantRecord {
  return {
    grantId: grantId(n),
    capabilityHash: new Uint8Array(32).fill(n),
    docIds,
    mode: "read",
    expiresAt: null,
    createdAt: 1_750_000_000_000 + n,
    createdBy: "rider-1",
    recipient: null,
    keyring: new TextEncoder().encode(`keyring ${n}`),
    sealedSecret: null,
    lastUsedAt: null,
    ...overrides,
  };
}
