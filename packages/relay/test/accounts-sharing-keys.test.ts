/**
 * Each account's sharing key over real HTTP (in-process relay, SQLite account file): the key
 * pair is made on the device at registration (its public half sent along, its secret half
 * inside the key bundle) or at the first login of an account made before sharing (bundle
 * upgraded, public half uploaded); other riders look it up by email (404 alike for an
 * unknown email and for an account without a key; rate-limited per account) and see who an
 * account is by its id. Deleting the account removes the key from the account file.
 */
import { readFile } from "node:fs/promises";
import {
  createAccountBundle,
  deleteAccount,
  derivePasswordKeys,
  loadSodium,
  logIn,
  newKdf,
  openAccountBundle,
  systemRandom,
  unwrap,
} from "@ridevault/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  clientFor,
  type InProcessAccountsRelay,
  registerRider,
  someLibrary,
  startInProcessRelay,
} from "./accounts-helpers.js";

let relay: InProcessAccountsRelay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

const roomy = { burst: 100, perMinute: 100 };

describe("sharing keys", () => {
  it("registers with a sharing key that others look up by email; profiles name accounts", async () => {
    relay = await startInProcessRelay();
    const client = clientFor(relay.url);
    const alice = await registerRider(relay, "Alice@Example.org");
    const bob = await registerRider(relay, "bob@example.org");
    const bobToken = unwrap(await bob.session.accessToken());
    expect(alice.shareKeys.publicKey.length).toBe(32);
    expect(alice.shareKeys.secretKey.length).toBe(32);

    const found = unwrap(await client.lookupAccount(bobToken, " alice@EXAMPLE.org"));
    expect(found).toEqual({
      accountId: alice.session.accountId,
      email: "alice@example.org",
      sharePublicKey: alice.shareKeys.publicKey,
    });
    const profile = unwrap(await client.accountProfile(bobToken, alice.session.accountId));
    expect(profile).toEqual({ accountId: alice.session.accountId, email: "alice@example.org" });
    const noProfile = await client.accountProfile(bobToken, "AAAAAAAAAAAAAAAAAAAAAA");
    expect(noProfile.ok ? 0 : noProfile.error.status).toBe(404);

    // The secret half is in the bundle: a new device of Alice's gets the same pair.
    const again = unwrap(
      await logIn({ client, unsafeTestKdf: true, email: "alice@example.org", password: "pw" }),
    );
    expect(again.shareKeys).toEqual(alice.shareKeys);
    // Without a token: no lookup.
    const anonymous = await fetch(`${relay.origin}/v1/accounts/lookup?email=bob@example.org`);
    expect(anonymous.status).toBe(401);
  });

  it("answers an unknown email exactly like an account without a key, and gives old accounts one at login", async () => {
    relay = await startInProcessRelay();
    const client = clientFor(relay.url);
    const asker = await registerRider(relay, "asker@example.org");
    const token = unwrap(await asker.session.accessToken());
    // An account registered the way devices did before sharing keys: none in bundle or relay.
    const sodium = await loadSodium();
    const kdf = newKdf(sodium, { unsafeTestKdf: true });
    const keys = derivePasswordKeys(sodium, "old-pw", kdf);
    const bundle = createAccountBundle(sodium, {
      secrets: {
        accountKey: systemRandom.bytes(32),
        vaultKey: systemRandom.bytes(32),
        library: await someLibrary(),
        shareKeys: null,
      },
      passwordKey: keys.wrappingKey,
      recoveryKey: null,
      random: systemRandom,
    });
    unwrap(
      await client.register({
        email: "old@example.org",
        loginPublicKey: keys.loginPublicKey,
        recoveryPublicKey: null,
        kdf,
        bundle,
      }),
    );
    const withoutKey = await rawLookup(relay, token, "old@example.org");
    const unknown = await rawLookup(relay, token, "nobody@example.org");
    expect(withoutKey.status).toBe(404);
    expect(withoutKey).toEqual(unknown);

    // Its first login makes the pair: into the bundle (version 2) and up to the relay.
    const first = unwrap(
      await logIn({ client, unsafeTestKdf: true, email: "old@example.org", password: "old-pw" }),
    );
    expect(first.shareKeys?.publicKey.length).toBe(32);
    const stored = unwrap(await client.getBundle(unwrap(await first.session.accessToken())));
    expect(stored.version).toBe(2);
    const opened = openAccountBundle(sodium, stored.bundle, {
      wrappingKey: keys.wrappingKey,
      method: "password",
    });
    expect(opened.ok && opened.value.shareKeys).toEqual(first.shareKeys);
    const found = unwrap(await client.lookupAccount(token, "old@example.org"));
    expect(found.sharePublicKey).toEqual(first.shareKeys?.publicKey);
    // The next login keeps the same pair and the same bundle.
    const second = unwrap(
      await logIn({ client, unsafeTestKdf: true, email: "old@example.org", password: "old-pw" }),
    );
    expect(second.shareKeys).toEqual(first.shareKeys);
    const secondToken = unwrap(await second.session.accessToken());
    expect(unwrap(await client.getBundle(secondToken)).version).toBe(2);
  });

  it("rate-limits lookups per account, and replaces a key with PUT me/share-key", async () => {
    relay = await startInProcessRelay({
      rateLimits: {
        register: roomy,
        challenge: roomy,
        login: roomy,
        refresh: roomy,
        lookup: { burst: 2, perMinute: 2 },
      },
    });
    const client = clientFor(relay.url);
    await registerRider(relay, "target@example.org");
    const one = await registerRider(relay, "one@example.org");
    const two = await registerRider(relay, "two@example.org");
    const oneToken = unwrap(await one.session.accessToken());
    const twoToken = unwrap(await two.session.accessToken());
    expect((await client.lookupAccount(oneToken, "target@example.org")).ok).toBe(true);
    expect((await client.lookupAccount(oneToken, "nobody@example.org")).ok).toBe(false);
    const limited = await rawLookup(relay, oneToken, "target@example.org");
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe("rate-limited");
    // Another account has its own bucket.
    expect((await client.lookupAccount(twoToken, "target@example.org")).ok).toBe(true);
    relay.shift += 30_000;
    expect((await client.lookupAccount(oneToken, "target@example.org")).ok).toBe(true);

    const next = new Uint8Array(32).fill(9);
    unwrap(await client.putShareKey(twoToken, next));
    relay.shift += 60_000;
    expect(unwrap(await client.lookupAccount(oneToken, "two@example.org")).sharePublicKey).toEqual(
      next,
    );
    const bad = await fetch(`${relay.origin}/v1/accounts/me/share-key`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${twoToken}` },
      body: JSON.stringify({ publicKey: "AAAA" }),
    });
    expect(bad.status).toBe(400);
  });

  it("deleting the account removes its sharing key from the account file", async () => {
    relay = await startInProcessRelay();
    const client = clientFor(relay.url);
    const leaving = await registerRider(relay, "leaving@example.org");
    const staying = await registerRider(relay, "staying@example.org");
    unwrap(
      await deleteAccount({
        client,
        unsafeTestKdf: true,
        session: leaving.session,
        email: "leaving@example.org",
        password: "pw",
      }),
    );
    const token = unwrap(await staying.session.accessToken());
    expect((await rawLookup(relay, token, "leaving@example.org")).status).toBe(404);
    await relay.stop();
    const file = await readFile(relay.accountFile);
    expect(file.includes(Buffer.from(leaving.shareKeys.publicKey))).toBe(false);
    expect(file.includes(Buffer.from(staying.shareKeys.publicKey))).toBe(true);
  });
});

async function rawLookup(
  relay: InProcessAccountsRelay,
  token: string,
  email: string,
): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const response = await fetch(
    `${relay.origin}/v1/accounts/lookup?email=${encodeURIComponent(email)}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  return { status: response.status, body: (await response.json()) as never };
}
