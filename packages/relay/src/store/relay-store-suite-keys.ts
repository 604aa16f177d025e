/**
 * The relay-store suite's key generations and claims, which every store supports (also
 * without share grants): a rotation raises the generation and replaces the keys, a stale
 * one changes nothing, a reader never sees the keys of one generation with another's
 * number, and claiming an ownerless document gives it to an account once.
 */
import { describe, expect, it } from "vitest";
import {
  author,
  change,
  type RelayStoreFactory,
  registration,
  rotation,
  value,
} from "./relay-store-suite-helpers.js";

/** Describes the key-generation and claim tests. */
export function describeKeys(factory: RelayStoreFactory): void {
  describe("key generations", () => {
    it("starts at generation 0; a rotation raises it and replaces the keys, and stays after a restart", async () => {
      const { store, reopen, teardown } = await factory.create();
      value(await store.registerDocument(registration("doc")));
      await store.append(change("doc", author(0), 1));
      expect(await store.getDocument("doc")).toMatchObject({ generation: 0, lastSeq: 1 });
      expect(await store.rotateDocument(rotation("doc", 1))).toBe("rotated");
      expect(await store.getDocument("doc")).toEqual({
        ...registration("doc"),
        writePublicKey: rotation("doc", 1).writePublicKey,
        accessHash: rotation("doc", 1).accessHash,
        generation: 1,
        lastSeq: 1,
        snapshotSeq: null,
        snapshotCoversSeq: null,
      });
      // Any higher generation is accepted; the log goes on where it was.
      expect(await store.rotateDocument(rotation("doc", 7))).toBe("rotated");
      expect(await store.append(change("doc", author(0), 2))).toEqual({ seq: 2, duplicate: false });
      await store.close();
      const again = await reopen();
      expect(await again.getDocument("doc")).toMatchObject({
        generation: 7,
        writePublicKey: rotation("doc", 7).writePublicKey,
        accessHash: rotation("doc", 7).accessHash,
        lastSeq: 2,
      });
      await again.close();
      await teardown?.();
    });

    it("refuses a generation at or below the current one and changes nothing", async () => {
      const { store, teardown } = await factory.create();
      value(await store.registerDocument(registration("doc")));
      expect(await store.rotateDocument(rotation("doc", 0))).toBe("stale-generation");
      expect(await store.rotateDocument(rotation("doc", 3))).toBe("rotated");
      const before = await store.getDocument("doc");
      expect(await store.rotateDocument(rotation("doc", 3))).toBe("stale-generation");
      expect(await store.rotateDocument(rotation("doc", 2))).toBe("stale-generation");
      expect(await store.getDocument("doc")).toEqual(before);
      expect(before?.writePublicKey).toEqual(rotation("doc", 3).writePublicKey);
      expect(await store.rotateDocument(rotation("nowhere", 1))).toBe("unknown");
      expect(await store.getDocument("nowhere")).toBeUndefined();
      await store.close();
      await teardown?.();
    });

    it("lets exactly one of two racing rotations to one generation win, and readers never see mixed keys", async () => {
      const { store, teardown } = await factory.create();
      value(await store.registerDocument(registration("doc")));
      const outcomes: string[] = [];
      const seen: { generation: number; key: number; access: number }[] = [];
      const look = async () => {
        const doc = await store.getDocument("doc");
        if (doc?.generation) {
          seen.push({
            generation: doc.generation,
            key: doc.writePublicKey[0] ?? -1,
            access: doc.accessHash[0] ?? -1,
          });
        }
      };
      const calls: Promise<unknown>[] = [];
      for (let generation = 1; generation <= 10; generation++) {
        for (let racer = 0; racer < 2; racer++) {
          calls.push(
            store.rotateDocument(rotation("doc", generation)).then((o) => outcomes.push(o)),
          );
          calls.push(look());
        }
      }
      await Promise.all(calls);
      expect(outcomes.filter((o) => o === "rotated")).toHaveLength(10);
      expect(outcomes.filter((o) => o === "stale-generation")).toHaveLength(10);
      for (const { generation, key, access } of seen) {
        expect(key).toBe(generation);
        expect(access).toBe(generation + 128);
      }
      expect((await store.getDocument("doc"))?.generation).toBe(10);
      await store.close();
      await teardown?.();
    });

    it("rejects a malformed rotation with invalid-rotation and changes nothing", async () => {
      const { store, teardown } = await factory.create();
      value(await store.registerDocument(registration("doc")));
      const bad = [
        rotation("doc", -1),
        rotation("doc", 1.5),
        rotation("doc", 2, { revoke: ["NOT-A-GRANT-ID"] }),
        rotation("doc", 2, { keyrings: [{ grantId: "ab", keyring: new Uint8Array(1) }] }),
        rotation("doc", 2, {
          keyrings: [{ grantId: "a".repeat(32), keyring: new Uint8Array(256 * 1024 + 1) }],
        }),
      ];
      for (const input of bad) {
        await expect(store.rotateDocument(input)).rejects.toMatchObject({
          code: "invalid-rotation",
        });
      }
      expect(await store.getDocument("doc")).toMatchObject({
        generation: 0,
        writePublicKey: registration("doc").writePublicKey,
      });
      await store.close();
      await teardown?.();
    });
  });

  describe("claims", () => {
    it("gives an ownerless document to the first account that claims it, once", async () => {
      const { store, reopen, teardown } = await factory.create();
      value(await store.registerDocument({ ...registration("free"), owner: null }));
      value(await store.registerDocument({ ...registration("bobs"), owner: "bob" }));
      await store.append(change("free", author(0), 1));
      expect(await store.claimDocument("free", "alice")).toBe("claimed");
      expect(await store.claimDocument("free", "alice")).toBe("already");
      expect(await store.claimDocument("free", "carol")).toBe("taken");
      expect(await store.claimDocument("bobs", "alice")).toBe("taken");
      expect(await store.claimDocument("bobs", "bob")).toBe("already");
      expect(await store.claimDocument("nowhere", "alice")).toBe("unknown");
      expect(await store.getDocument("nowhere")).toBeUndefined();
      expect((await store.getDocument("bobs"))?.owner).toBe("bob");
      // The claimed document now counts for alice, and goes with her account.
      expect(await store.ownerStats("alice")).toMatchObject({ documents: 1, changes: 1 });
      await store.close();
      const again = await reopen();
      expect((await again.getDocument("free"))?.owner).toBe("alice");
      expect(await again.claimDocument("free", "carol")).toBe("taken");
      expect(await again.deleteDocumentsOwnedBy("alice")).toBe(1);
      expect(await again.getDocument("free")).toBeUndefined();
      expect(await again.getDocument("bobs")).toBeDefined();
      await again.close();
      await teardown?.();
    });

    it("lets exactly one of several racing claims win", async () => {
      const { store, teardown } = await factory.create();
      value(await store.registerDocument({ ...registration("free"), owner: null }));
      const accounts = ["a", "b", "c", "d"];
      const outcomes = await Promise.all(accounts.map((a) => store.claimDocument("free", a)));
      expect(outcomes.filter((o) => o === "claimed")).toHaveLength(1);
      expect(outcomes.filter((o) => o === "taken")).toHaveLength(3);
      const winner = accounts[outcomes.indexOf("claimed")];
      expect((await store.getDocument("free"))?.owner).toBe(winner);
      await store.close();
      await teardown?.();
    });
  });
}
