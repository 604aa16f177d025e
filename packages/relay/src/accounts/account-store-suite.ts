/**
 * The account-store acceptance suite: every `AccountStore` runs it (memory, SQLite, PostgreSQL),
 * so the account endpoints rely on one contract — unique emails, compare-and-set bundles,
 * single-use expiring challenges, refresh-token rotation with reuse detection, and deletion
 * of every row of an account.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AccountRecord, AccountStore } from "./account-store.js";

/** Makes a fresh, empty store; `reopen` (optional) closes it and opens the same data again. */
export interface AccountStoreFactory {
  create(): Promise<{ store: AccountStore; reopen?: () => Promise<AccountStore> }>;
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

/** A valid account record for tests. */
export function sampleAccount(id: string, email: string): AccountRecord {
  return {
    id,
    email,
    loginPublicKey: new Uint8Array(32).fill(1),
    recoveryPublicKey: new Uint8Array(32).fill(2),
    kdf: {
      algorithm: "argon2id13",
      salt: new Uint8Array(16).fill(3),
      opsLimit: 3,
      memLimit: 1 << 26,
    },
    bundle: bytes(9, 9, 9),
    bundleVersion: 1,
    createdAt: 1000,
    sharePublicKey: null,
  };
}

/** Creates account `a1` and its refresh family `f1`, whose first token `bytes(1)` expires at 5000. */
async function accountWithFamily(store: AccountStore): Promise<void> {
  await store.createAccount(sampleAccount("a1", "a@x.org"));
  await store.createFamily({
    familyId: "f1",
    accountId: "a1",
    tokenHash: bytes(1),
    expiresAt: 5000,
    createdAt: 1000,
  });
}

/** Runs the acceptance suite against the stores `factory` makes. */
export function runAccountStoreTests(name: string, factory: AccountStoreFactory): void {
  describe(`account store: ${name}`, () => {
    const open: AccountStore[] = [];
    const make = async () => {
      const made = await factory.create();
      open.push(made.store);
      return made;
    };
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
    });

    it("stores accounts, finds them by id and email, and refuses a taken email", async () => {
      const { store } = await make();
      expect((await store.createAccount(sampleAccount("a1", "a@x.org"))).ok).toBe(true);
      const again = await store.createAccount(sampleAccount("a2", "a@x.org"));
      expect(again.ok ? "" : again.error.code).toBe("email-taken");
      expect(await store.getAccount("a1")).toEqual(sampleAccount("a1", "a@x.org"));
      expect((await store.getAccountByEmail("a@x.org"))?.id).toBe("a1");
      expect(await store.getAccount("a2")).toBeUndefined();
      expect(await store.getAccountByEmail("b@x.org")).toBeUndefined();
    });

    it("updates bundles and credentials only from the expected version", async () => {
      const { store } = await make();
      await store.createAccount(sampleAccount("a1", "a@x.org"));
      const put = await store.putBundle({ accountId: "a1", bundle: bytes(1), expectedVersion: 1 });
      expect(put).toEqual({ ok: true, value: 2 });
      const stale = await store.putBundle({
        accountId: "a1",
        bundle: bytes(2),
        expectedVersion: 1,
      });
      expect(stale.ok ? 0 : stale.error.code).toBe("bundle-conflict");
      const kdf = {
        algorithm: "argon2id13" as const,
        salt: bytes(7),
        opsLimit: 4,
        memLimit: 1 << 27,
      };
      const changed = await store.updateCredentials({
        accountId: "a1",
        loginPublicKey: new Uint8Array(32).fill(5),
        kdf,
        bundle: bytes(3),
        expectedBundleVersion: 2,
      });
      expect(changed).toEqual({ ok: true, value: 3 });
      const account = await store.getAccount("a1");
      expect(account?.kdf).toEqual(kdf);
      expect(account?.bundle).toEqual(bytes(3));
      expect(account?.loginPublicKey).toEqual(new Uint8Array(32).fill(5));
      const missing = await store.putBundle({
        accountId: "zz",
        bundle: bytes(1),
        expectedVersion: 1,
      });
      expect(missing.ok ? "" : missing.error.code).toBe("unknown-account");
    });

    it("keeps each account's sharing public key, from registration or set later", async () => {
      const { store } = await make();
      const key = new Uint8Array(32).fill(6);
      await store.createAccount({ ...sampleAccount("a1", "a@x.org"), sharePublicKey: key });
      await store.createAccount(sampleAccount("b1", "b@x.org"));
      expect((await store.getAccount("a1"))?.sharePublicKey).toEqual(key);
      expect((await store.getAccountByEmail("b@x.org"))?.sharePublicKey).toBeNull();
      const next = new Uint8Array(32).fill(7);
      expect(await store.putSharePublicKey("b1", next)).toBe(true);
      expect((await store.getAccountByEmail("b@x.org"))?.sharePublicKey).toEqual(next);
      expect((await store.getAccount("a1"))?.sharePublicKey).toEqual(key);
      expect(await store.putSharePublicKey("zz", next)).toBe(false);
      expect(await store.getAccount("zz")).toBeUndefined();
      expect(await store.deleteAccount("b1")).toBe(true);
      expect(await store.putSharePublicKey("b1", next)).toBe(false);
    });

    it("hands out a challenge once, and never after it expires", async () => {
      const { store } = await make();
      const challenge = { id: "c1", email: "a@x.org", challenge: bytes(1, 2), expiresAt: 2000 };
      await store.putChallenge(challenge);
      await store.putChallenge({ ...challenge, id: "c2" });
      expect(await store.takeChallenge("c1", 1999)).toEqual(challenge);
      expect(await store.takeChallenge("c1", 1999)).toBeUndefined();
      expect(await store.takeChallenge("c2", 2000)).toBeUndefined();
      expect(await store.takeChallenge("nope", 0)).toBeUndefined();
    });

    it("rotates refresh tokens, and a reused token revokes its whole family", async () => {
      const { store } = await make();
      await accountWithFamily(store);
      const first = await store.rotateRefreshToken({
        tokenHash: bytes(1),
        nextHash: bytes(2),
        nextExpiresAt: 6000,
        now: 1500,
      });
      expect(first).toEqual({ ok: true, value: { accountId: "a1", familyId: "f1" } });
      const replay = await store.rotateRefreshToken({
        tokenHash: bytes(1),
        nextHash: bytes(3),
        nextExpiresAt: 6000,
        now: 1600,
      });
      expect(replay.ok ? "" : replay.error.code).toBe("refresh-reused");
      expect(await store.isFamilyActive("f1")).toBe(false);
      // The legitimate successor dies with the family.
      const successor = await store.rotateRefreshToken({
        tokenHash: bytes(2),
        nextHash: bytes(4),
        nextExpiresAt: 6000,
        now: 1700,
      });
      expect(successor.ok ? "" : successor.error.code).toBe("refresh-invalid");
    });

    it("refuses unknown and expired refresh tokens", async () => {
      const { store } = await make();
      await accountWithFamily(store);
      const rotate = (hash: Uint8Array, now: number) =>
        store.rotateRefreshToken({ tokenHash: hash, nextHash: bytes(8), nextExpiresAt: 9000, now });
      const expired = await rotate(bytes(1), 5000);
      expect(expired.ok ? "" : expired.error.code).toBe("refresh-invalid");
      const unknown = await rotate(bytes(7), 1000);
      expect(unknown.ok ? "" : unknown.error.code).toBe("refresh-invalid");
      expect(await store.sweep(5000)).toBe(1);
    });

    it("revokes one family, or all of an account's but one", async () => {
      const { store } = await make();
      await store.createAccount(sampleAccount("a1", "a@x.org"));
      await store.createAccount(sampleAccount("b1", "b@x.org"));
      for (const [familyId, accountId, hash] of [
        ["f1", "a1", 1],
        ["f2", "a1", 2],
        ["f3", "a1", 3],
        ["g1", "b1", 4],
      ] as const) {
        await store.createFamily({
          familyId,
          accountId,
          tokenHash: bytes(hash),
          expiresAt: 9000,
          createdAt: 1000,
        });
      }
      await store.revokeFamily("f1");
      expect(await store.isFamilyActive("f1")).toBe(false);
      await store.revokeFamilies("a1", "f2");
      expect(await store.isFamilyActive("f2")).toBe(true);
      expect(await store.isFamilyActive("f3")).toBe(false);
      expect(await store.isFamilyActive("g1")).toBe(true);
      expect(await store.isFamilyActive("none")).toBe(false);
      expect(await store.inactiveFamilies(["f1", "f2", "f3", "g1", "none"])).toEqual([
        "f1",
        "f3",
        "none",
      ]);
      expect(await store.inactiveFamilies([])).toEqual([]);
    });

    it("hands out a pairing mailbox once, and never after it expires", async () => {
      const { store } = await make();
      await store.createAccount(sampleAccount("a1", "a@x.org"));
      const mailbox = { id: "m1", accountId: "a1", sealed: bytes(7, 7), expiresAt: 2000 };
      await store.putMailbox(mailbox);
      await store.putMailbox({ ...mailbox, id: "m2" });
      expect(await store.takeMailbox("m1", 1999)).toEqual(mailbox);
      expect(await store.takeMailbox("m1", 1999)).toBeUndefined();
      expect(await store.takeMailbox("m2", 2000)).toBeUndefined();
      await store.putMailbox({ ...mailbox, id: "m3" });
      expect(await store.sweep(2000)).toBe(1);
      expect(await store.takeMailbox("m3", 0)).toBeUndefined();
    });

    it("deletes every row of an account and nothing of another", async () => {
      const { store, reopen } = await make();
      await store.createAccount(sampleAccount("a1", "a@x.org"));
      await store.createAccount(sampleAccount("b1", "b@x.org"));
      await store.createFamily({
        familyId: "f1",
        accountId: "a1",
        tokenHash: bytes(1),
        expiresAt: 9000,
        createdAt: 1,
      });
      await store.createFamily({
        familyId: "g1",
        accountId: "b1",
        tokenHash: bytes(2),
        expiresAt: 9000,
        createdAt: 1,
      });
      await store.putChallenge({
        id: "c1",
        email: "a@x.org",
        challenge: bytes(1),
        expiresAt: 9000,
      });
      await store.putChallenge({
        id: "c2",
        email: "b@x.org",
        challenge: bytes(1),
        expiresAt: 9000,
      });
      await store.putMailbox({ id: "m1", accountId: "a1", sealed: bytes(1), expiresAt: 9000 });
      await store.putMailbox({ id: "m2", accountId: "b1", sealed: bytes(1), expiresAt: 9000 });
      expect(await store.deleteAccount("a1")).toBe(true);
      expect(await store.deleteAccount("a1")).toBe(false);
      const current = reopen ? await reopen() : store;
      if (current !== store) open.push(current);
      expect(await current.getAccountByEmail("a@x.org")).toBeUndefined();
      expect(await current.isFamilyActive("f1")).toBe(false);
      expect(await current.inactiveFamilies(["f1", "g1"])).toEqual(["f1"]);
      expect(await current.takeChallenge("c1", 0)).toBeUndefined();
      expect(await current.takeMailbox("m1", 0)).toBeUndefined();
      const rotated = await current.rotateRefreshToken({
        tokenHash: bytes(1),
        nextHash: bytes(5),
        nextExpiresAt: 9000,
        now: 2,
      });
      expect(rotated.ok).toBe(false);
      expect((await current.getAccount("b1"))?.email).toBe("b@x.org");
      expect(await current.isFamilyActive("g1")).toBe(true);
      expect(await current.takeChallenge("c2", 0)).toBeDefined();
      expect(await current.takeMailbox("m2", 0)).toBeDefined();
    });
  });
}
