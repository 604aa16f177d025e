/**
 * The relay-store suite's share grants: creating (idempotent, conflicting), the lookups,
 * use times, deleting, what a rotation does to grants (and what a stale one does not), how
 * deleting documents or an account's documents takes grants with them, and input checks.
 * A store without grants (the Workers target) runs only the test that it refuses them.
 */
import { describe, expect, it } from "vitest";
import type { GrantRecord, RelayStore } from "./relay-store.js";
import {
  grant,
  grantId,
  type RelayStoreFactory,
  registerAll,
  registration,
  rotation,
  value,
} from "./relay-store-suite-helpers.js";

const ids = (grants: readonly GrantRecord[]) => grants.map((g) => g.grantId);

async function createAll(store: RelayStore, ...grants: GrantRecord[]): Promise<void> {
  for (const one of grants) expect(await store.createGrant(one)).toBe("created");
}

/** Describes the share-grant tests; `supported: false` checks only that grants are refused. */
export function describeGrants(factory: RelayStoreFactory, supported: boolean): void {
  if (!supported) {
    describe("share grants (not supported)", () => {
      it("refuses every grant call with not-supported", async () => {
        const { store, teardown } = await factory.create();
        const refused = { code: "not-supported" };
        await expect(store.createGrant(grant(1, ["doc"]))).rejects.toMatchObject(refused);
        await expect(store.getGrant(grantId(1))).rejects.toMatchObject(refused);
        await expect(store.grantsForDocument("doc")).rejects.toMatchObject(refused);
        await store.close();
        await teardown?.();
      });
    });
    return;
  }
  describe("share grants", () => {
    it("creates a grant once: the same id and hash again is 'exists', a reused id or hash is 'conflict'", async () => {
      const { store, teardown } = await factory.create();
      const first = grant(1, ["z-doc", "a-doc", "m-doc"], {
        mode: "write",
        recipient: "carol",
        sealedSecret: new Uint8Array([9, 8, 7]),
        expiresAt: 1_000,
        lastUsedAt: 5,
      });
      expect(await store.createGrant(first)).toBe("created");
      // Everything comes back as given, documents in the grant's order.
      expect(await store.getGrant(first.grantId)).toEqual(first);
      expect(await store.createGrant({ ...first, keyring: new Uint8Array([1]) })).toBe("exists");
      const otherHash = { ...first, capabilityHash: new Uint8Array(32).fill(99) };
      expect(await store.createGrant(otherHash)).toBe("conflict");
      expect(await store.createGrant({ ...first, grantId: grantId(2) })).toBe("conflict");
      expect(await store.getGrant(first.grantId)).toEqual(first);
      expect(await store.getGrant(grantId(2))).toBeUndefined();
      await store.close();
      await teardown?.();
    });

    it("finds grants by capability hash, by document and by recipient, oldest first", async () => {
      const { store, teardown } = await factory.create();
      const expired = grant(3, ["a", "b"], { recipient: "carol", expiresAt: 1 });
      await createAll(
        store,
        expired,
        grant(1, ["a"], { createdAt: 10 }),
        grant(2, ["b"], { recipient: "carol", createdAt: 20 }),
        grant(4, ["c"], { recipient: "dave" }),
      );
      expect(await store.grantByCapability(new Uint8Array(32).fill(2))).toMatchObject({
        grantId: grantId(2),
        docIds: ["b"],
      });
      expect(await store.grantByCapability(new Uint8Array(32).fill(77))).toBeUndefined();
      expect(ids(await store.grantsForDocument("a"))).toEqual([grantId(1), grantId(3)]);
      expect(ids(await store.grantsForDocument("b"))).toEqual([grantId(2), grantId(3)]);
      expect(await store.grantsForDocument("nowhere")).toEqual([]);
      expect(ids(await store.grantsForRecipient("carol"))).toEqual([grantId(2), grantId(3)]);
      expect(await store.grantsForRecipient("nobody")).toEqual([]);
      // Expiry is stored, not enforced: the relay decides what an expired grant may do.
      expect(await store.getGrant(grantId(3))).toEqual(expired);
      await store.close();
      await teardown?.();
    });

    it("records the last use, ignores a missing grant, and deletes grants", async () => {
      const { store, teardown } = await factory.create();
      await createAll(store, grant(1, ["a"]), grant(2, ["a"]));
      await store.touchGrant(grantId(1), 1_000);
      await store.touchGrant(grantId(1), 2_000);
      await store.touchGrant(grantId(9), 3_000);
      expect((await store.getGrant(grantId(1)))?.lastUsedAt).toBe(2_000);
      expect((await store.getGrant(grantId(2)))?.lastUsedAt).toBeNull();
      expect(await store.getGrant(grantId(9))).toBeUndefined();
      expect(await store.deleteGrant(grantId(1))).toBe(true);
      expect(await store.deleteGrant(grantId(1))).toBe(false);
      expect(await store.getGrant(grantId(1))).toBeUndefined();
      expect(await store.grantByCapability(grant(1, []).capabilityHash)).toBeUndefined();
      expect(ids(await store.grantsForDocument("a"))).toEqual([grantId(2)]);
      // The id and the capability hash are free again.
      expect(await store.createGrant(grant(1, ["b"]))).toBe("created");
      await store.close();
      await teardown?.();
    });

    it("on rotation deletes only the named grants of the document and replaces only their keyrings", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "doc", "other");
      await createAll(
        store,
        grant(1, ["doc"]),
        grant(2, ["doc", "other"]),
        grant(3, ["doc"]),
        grant(4, ["other"]),
        grant(5, ["other"]),
      );
      const keyring = (n: number) => new Uint8Array([n, n, n]);
      const outcome = await store.rotateDocument(
        rotation("doc", 1, {
          revoke: [grantId(1), grantId(4), grantId(99)],
          keyrings: [
            { grantId: grantId(2), keyring: keyring(2) },
            { grantId: grantId(5), keyring: keyring(5) },
            { grantId: grantId(98), keyring: keyring(98) },
          ],
        }),
      );
      expect(outcome).toBe("rotated");
      expect(await store.getGrant(grantId(1))).toBeUndefined();
      expect(ids(await store.grantsForDocument("doc"))).toEqual([grantId(2), grantId(3)]);
      expect(ids(await store.grantsForDocument("other"))).toEqual([
        grantId(2),
        grantId(4),
        grantId(5),
      ]);
      expect((await store.getGrant(grantId(2)))?.keyring).toEqual(keyring(2));
      expect(await store.getGrant(grantId(3))).toEqual(grant(3, ["doc"]));
      expect(await store.getGrant(grantId(5))).toEqual(grant(5, ["other"]));
      expect(await store.getGrant(grantId(98))).toBeUndefined();
      await store.close();
      await teardown?.();
    });

    it("on a stale or unknown rotation leaves keys and grants alone", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "doc");
      await createAll(store, grant(1, ["doc"]), grant(2, ["doc"]));
      expect(await store.rotateDocument(rotation("doc", 2))).toBe("rotated");
      const before = await store.getDocument("doc");
      const grants = {
        revoke: [grantId(1)],
        keyrings: [{ grantId: grantId(2), keyring: new Uint8Array([42]) }],
      };
      expect(await store.rotateDocument(rotation("doc", 2, grants))).toBe("stale-generation");
      expect(await store.rotateDocument(rotation("nowhere", 5, grants))).toBe("unknown");
      expect(await store.getDocument("doc")).toEqual(before);
      expect(await store.grantsForDocument("doc")).toEqual([grant(1, ["doc"]), grant(2, ["doc"])]);
      await store.close();
      await teardown?.();
    });

    it("takes a deleted document out of its grants, deleting grants left with none", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "a", "b", "c");
      await createAll(store, grant(1, ["a"]), grant(2, ["b", "a", "c"]), grant(3, ["c"]));
      expect(await store.deleteDocument("a")).toBe(true);
      expect(await store.getGrant(grantId(1))).toBeUndefined();
      expect(await store.grantByCapability(grant(1, []).capabilityHash)).toBeUndefined();
      expect((await store.getGrant(grantId(2)))?.docIds).toEqual(["b", "c"]);
      expect(await store.grantsForDocument("a")).toEqual([]);
      expect(await store.getGrant(grantId(3))).toEqual(grant(3, ["c"]));
      await store.close();
      await teardown?.();
    });

    it("deleting an owner's documents leaves no grant of that account, and keeps the rest", async () => {
      const { store, reopen, teardown } = await factory.create();
      const owned = (docId: string, owner: string) => ({ ...registration(docId), owner });
      for (const [docId, owner] of [
        ["a1", "alice"],
        ["a2", "alice"],
        ["b1", "bob"],
      ] as const) {
        value(await store.registerDocument(owned(docId, owner)));
      }
      const bobs = { createdBy: "bob" };
      await createAll(
        store,
        grant(1, ["a1", "a2"], { createdBy: "alice" }),
        grant(2, ["a1", "b1"], bobs),
        grant(3, ["b1"], { ...bobs, recipient: "alice" }),
        grant(4, ["b1"], { createdBy: "alice" }),
        grant(5, ["b1"], { ...bobs, recipient: "carol" }),
      );
      // An account with grants but no documents loses its grants too.
      await createAll(store, grant(6, ["b1"], { ...bobs, recipient: "dora" }));
      expect(await store.deleteDocumentsOwnedBy("dora")).toBe(0);
      expect(await store.getGrant(grantId(6))).toBeUndefined();
      expect(await store.deleteDocumentsOwnedBy("alice")).toBe(2);
      await store.close();
      const again = await reopen();
      expect(ids(await again.grantsForDocument("b1"))).toEqual([grantId(2), grantId(5)]);
      expect((await again.getGrant(grantId(2)))?.docIds).toEqual(["b1"]);
      for (const n of [1, 3, 4]) expect(await again.getGrant(grantId(n))).toBeUndefined();
      expect(await again.grantsForRecipient("alice")).toEqual([]);
      expect(ids(await again.grantsForRecipient("carol"))).toEqual([grantId(5)]);
      await again.close();
      await teardown?.();
    });

    it("keeps grants, their use and rotated keyrings across a close and reopen", async () => {
      const { store, reopen, teardown } = await factory.create();
      await registerAll(store, "doc");
      await createAll(store, grant(1, ["doc"], { recipient: "carol" }), grant(2, ["doc"]));
      await store.touchGrant(grantId(1), 1_234);
      const keyrings = [{ grantId: grantId(2), keyring: new Uint8Array([2, 2]) }];
      expect(await store.rotateDocument(rotation("doc", 1, { keyrings }))).toBe("rotated");
      const before = await store.grantsForDocument("doc");
      expect(before[0]?.lastUsedAt).toBe(1_234);
      await store.close();
      const again = await reopen();
      expect(await again.grantsForDocument("doc")).toEqual(before);
      expect((await again.getGrant(grantId(2)))?.keyring).toEqual(new Uint8Array([2, 2]));
      expect(await again.createGrant(grant(1, ["doc"]))).toBe("exists");
      await again.close();
      await teardown?.();
    });

    it("rejects malformed grants, ids and hashes with invalid-grant and stores nothing", async () => {
      const { store, teardown } = await factory.create();
      const many = (n: number) => Array.from({ length: n }, (_, i) => `doc-${i}`);
      const bad = [
        grant(1, []),
        grant(1, many(501)),
        grant(1, ["a", "a"]),
        grant(1, ["a"], { grantId: "ABCDEF".padEnd(32, "0") }),
        grant(1, ["a"], { grantId: "abc" }),
        grant(1, ["a"], { capabilityHash: new Uint8Array(31) }),
        grant(1, ["a"], { keyring: new Uint8Array(256 * 1024 + 1) }),
      ];
      const invalid = { code: "invalid-grant" };
      for (const one of bad) await expect(store.createGrant(one)).rejects.toMatchObject(invalid);
      await expect(store.grantByCapability(new Uint8Array(33))).rejects.toMatchObject(invalid);
      await expect(store.getGrant("nope")).rejects.toMatchObject(invalid);
      await expect(store.deleteGrant("nope")).rejects.toMatchObject(invalid);
      await expect(store.touchGrant("nope", 1)).rejects.toMatchObject(invalid);
      expect(await store.getGrant(grantId(1))).toBeUndefined();
      expect(await store.grantsForDocument("a")).toEqual([]);
      // The limits themselves are allowed.
      const largest = grant(2, many(500), { keyring: new Uint8Array(256 * 1024).fill(3) });
      expect(await store.createGrant(largest)).toBe("created");
      const stored = await store.getGrant(grantId(2));
      expect(stored?.docIds).toEqual(largest.docIds);
      // Compared as a Buffer: a deep equality of 256 Ki elements takes seconds.
      expect(stored && Buffer.from(stored.keyring).equals(largest.keyring)).toBe(true);
      await store.close();
      await teardown?.();
    });
  });
}
