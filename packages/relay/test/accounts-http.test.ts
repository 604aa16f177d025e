/**
 * The account endpoints over real HTTP: per-IP rate limits trip with 429 and Retry-After
 * and recover after the window; bodies are size-limited and validated field by field;
 * logout ends this device's session or every device's; the key bundle is replaced only from
 * the version the caller read; and deleting an account leaves no row — and no byte of its
 * email or keys — in the account database.
 */
import { readFile } from "node:fs/promises";
import { createPairing, deleteAccount, joinByPairingLink, logIn, unwrap } from "@ridevault/core";
import Database from "better-sqlite3";
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

async function call(
  method: string,
  path: string,
  body?: string,
  token?: string,
): Promise<{
  status: number;
  headers: Headers;
  body: { error?: { code: string; message: string } };
}> {
  const response = await fetch(`${relay?.origin}/v1/accounts/${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token && { authorization: `Bearer ${token}` }),
    },
    ...(body !== undefined && { body }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

describe("account endpoints", () => {
  it("rate-limits login per IP with 429 and Retry-After, and recovers after the window", async () => {
    const limit = { burst: 2, perMinute: 6 };
    relay = await startInProcessRelay({
      rateLimits: { register: limit, challenge: limit, login: limit, refresh: limit },
    });
    const start = () => call("POST", "login/start", JSON.stringify({ email: "a@example.org" }));
    expect((await start()).status).toBe(200);
    expect((await start()).status).toBe(200);
    const limited = await start();
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe("rate-limited");
    expect(limited.headers.get("retry-after")).toBe("10");
    relay.shift += 10_000;
    expect((await start()).status).toBe(200);
    // Each endpoint has its own bucket.
    expect((await call("POST", "refresh", JSON.stringify({ refreshToken: "x" }))).status).toBe(401);
  });

  it("validates bodies: size, JSON, every field", async () => {
    relay = await startInProcessRelay();
    const big = JSON.stringify({ email: "a@example.org", pad: "x".repeat(200 * 1024) });
    expect((await call("POST", "login/start", big)).status).toBe(413);
    expect((await call("POST", "login/start", "{nope")).body.error?.code).toBe("bad-request");
    expect((await call("POST", "login/start", "[1]")).body.error?.message).toMatch(/JSON object/);
    const noEmail = await call("POST", "login/start", JSON.stringify({ email: "not-an-email" }));
    expect(noEmail).toMatchObject({
      status: 400,
      body: { error: { message: "email must be an email address" } },
    });
    const register = await call(
      "POST",
      "register",
      JSON.stringify({ email: "a@example.org", loginPublicKey: "AAAA", kdf: {}, bundle: "AA" }),
    );
    expect(register.body.error?.message).toBe("loginPublicKey must have 32 bytes");
    const weakKdf = await call(
      "POST",
      "register",
      JSON.stringify({
        email: "a@example.org",
        loginPublicKey: Buffer.alloc(32).toString("base64url"),
        kdf: { algorithm: "scrypt", salt: "", opsLimit: 1, memLimit: 1 },
        bundle: "AA",
      }),
    );
    expect(weakKdf.body.error?.message).toBe("kdf.algorithm must be argon2id13");
    expect((await call("GET", "nothing-here")).status).toBe(404);
  });

  it("logs out this device, or every device", async () => {
    relay = await startInProcessRelay();
    const a = await registerRider(relay, "out@example.org", "pw");
    const client = clientFor(relay.url);
    const b = unwrap(
      await logIn({ client, unsafeTestKdf: true, email: "out@example.org", password: "pw" }),
    );
    const c = unwrap(
      await logIn({ client, unsafeTestKdf: true, email: "out@example.org", password: "pw" }),
    );
    unwrap(await b.session.logout());
    expect((await b.session.accessToken()).ok).toBe(false);
    expect((await a.session.refresh()).ok).toBe(true);
    unwrap(await c.session.logout(true));
    const refused = await a.session.refresh();
    expect(refused.ok ? "" : refused.error.code).toBe("refresh-invalid");
    expect(a.session.signedOut).toBe(true);
  });

  it("replaces the key bundle only from the version the caller read", async () => {
    relay = await startInProcessRelay();
    const { session } = await registerRider(relay, "bundle@example.org");
    const client = clientFor(relay.url);
    const token = unwrap(await session.accessToken());
    const current = unwrap(await client.getBundle(token));
    expect(current.version).toBe(1);
    expect(unwrap(await client.putBundle(token, new Uint8Array([1, 2, 3]), 1)).version).toBe(2);
    const stale = await client.putBundle(token, new Uint8Array([4]), 1);
    expect(stale.ok ? "" : stale.error).toMatchObject({ code: "bundle-conflict", status: 409 });
    expect(unwrap(await client.getBundle(token)).bundle).toEqual(new Uint8Array([1, 2, 3]));
    expect(unwrap(await client.me(token))).toMatchObject({
      email: "bundle@example.org",
      bundleVersion: 2,
    });
  });

  it("a pairing link expires after ten minutes", async () => {
    relay = await startInProcessRelay();
    const { session } = await registerRider(relay, "pair@example.org");
    const client = clientFor(relay.url);
    const library = await someLibrary();
    const link = unwrap(await createPairing({ client, session, library })).link;
    relay.shift += 600_000;
    const expired = await joinByPairingLink({ client, link });
    expect(expired.ok ? "" : expired.error).toMatchObject({ code: "pairing-invalid", status: 404 });
    const garbage = await joinByPairingLink({ client, link: "ridevault-pair-1.nope" });
    expect(garbage.ok ? "" : garbage.error.code).toBe("invalid-pairing-link");
    const noAuth = await call(
      "POST",
      "pairing",
      JSON.stringify({ mailboxId: "A".repeat(22), sealed: "AA" }),
    );
    expect(noAuth.status).toBe(401);
  });

  it("deletes an account: no row and no byte of it stays in the account database", async () => {
    relay = await startInProcessRelay();
    const email = "leaving-rider-4471@example.org";
    const { session } = await registerRider(relay, email, "pw");
    const stay = await registerRider(relay, "staying@example.org", "pw2");
    const client = clientFor(relay.url);
    const accountId = session.accountId;
    const login = unwrap(await client.startLogin(email));
    unwrap(await createPairing({ client, session, library: await someLibrary() }));
    const wrong = await deleteAccount({
      client,
      unsafeTestKdf: true,
      session,
      email,
      password: "wrong",
    });
    expect(wrong.ok ? "" : wrong.error.code).toBe("invalid-credentials");
    unwrap(await deleteAccount({ client, unsafeTestKdf: true, session, email, password: "pw" }));
    expect((await session.refresh()).ok).toBe(false);
    expect((await logIn({ client, unsafeTestKdf: true, email, password: "pw" })).ok).toBe(false);
    await relay.stop();

    const db = new Database(relay.accountFile, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as {
      name: string;
    }[];
    expect(tables.map((t) => t.name).sort()).toEqual(
      [
        "accounts",
        "login_challenges",
        "pairing_mailboxes",
        "refresh_families",
        "refresh_tokens",
      ].sort(),
    );
    const remaining = (table: string) =>
      (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(remaining("accounts")).toBe(1);
    expect(remaining("refresh_families")).toBe(1);
    expect(remaining("pairing_mailboxes")).toBe(0);
    db.close();
    const bytes = await readFile(relay.accountFile);
    expect(bytes.includes(Buffer.from(email))).toBe(false);
    expect(bytes.includes(Buffer.from(accountId))).toBe(false);
    expect(bytes.includes(Buffer.from(login.kdf.salt))).toBe(false);
    expect(bytes.includes(Buffer.from("staying@example.org"))).toBe(true);
    expect(stay.session.accountId).not.toBe(accountId);
  });
});
