/**
 * Saving a session across restarts, against a fake relay (a `fetch` that rotates refresh
 * tokens and logs out): the saved value holds no token in the clear, follows every rotation,
 * restores (refreshing at once) with the right vault key only, and is removed when the relay
 * signed the device out, when it is damaged, and on logout.
 */
import { describe, expect, it } from "vitest";
import { MemoryStorageAdapter } from "../storage/storage-adapter.js";
import { AccountClient, type SessionTokens } from "./account-client.js";
import { AccountSession } from "./account-session.js";
import {
  forgetSession,
  persistSession,
  restoreSession,
  SESSION_STORAGE_KEY,
} from "./saved-session.js";

const token = (n: number) => `refresh-token-number-${n}-of-this-test`;

/** A relay that rotates refresh tokens (any it issued and did not see used), or refuses. */
class FakeRelay {
  issued = 0;
  readonly presented: string[] = [];
  revoked = false;
  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    const url = String(input);
    if (url.endsWith("/v1/accounts/logout")) return new Response(null, { status: 204 });
    if (!url.endsWith("/v1/accounts/refresh"))
      return json(404, { error: { code: "not-found", message: "no" } });
    const { refreshToken } = JSON.parse(String(init?.body)) as { refreshToken: string };
    this.presented.push(refreshToken);
    if (this.revoked || refreshToken !== token(this.issued))
      return json(401, { error: { code: "refresh-invalid", message: "signed out" } });
    this.issued++;
    return json(200, tokens(this.issued));
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

const tokens = (n: number): SessionTokens => ({
  accountId: "acc",
  accessToken: `access-${n}`,
  expiresIn: 900,
  refreshToken: token(n),
});

function setup() {
  const relay = new FakeRelay();
  const client = new AccountClient({ baseUrl: "https://relay.test", fetch: relay.fetch });
  const session = new AccountSession({ client, tokens: tokens(0), email: "r@example.org" });
  const storage = new MemoryStorageAdapter();
  const vaultKey = new Uint8Array(32).fill(5);
  return { relay, client, session, storage, vaultKey };
}

const stored = (storage: MemoryStorageAdapter) => storage.load([...SESSION_STORAGE_KEY]);

describe("saved session", () => {
  it("is sealed, follows rotations, and restores with a fresh token", async () => {
    const { relay, client, session, storage, vaultKey } = setup();
    const stop = await persistSession({ storage, vaultKey, session });
    const saved = await stored(storage);
    expect(saved).toBeDefined();
    const text = Buffer.from(saved ?? new Uint8Array()).toString("latin1");
    expect(text).not.toContain(token(0));
    expect(text).not.toContain("acc");
    expect(text).not.toContain("r@example.org");

    // A rotation uses the saved token up: the saved state must follow.
    expect((await session.refresh()).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    stop();

    const restored = await restoreSession({ storage, vaultKey, client });
    if (!restored.ok || !restored.value) throw new Error("not restored");
    expect(relay.presented.at(-1)).toBe(token(1));
    expect(restored.value.accountId).toBe("acc");
    expect(restored.value.email).toBe("r@example.org");
    expect(restored.value.refreshToken).toBe(token(2));
    expect(await restored.value.accessToken()).toEqual({ ok: true, value: "access-2" });
    // The restore saved the rotated token: restoring again works.
    const again = await restoreSession({ storage, vaultKey, client });
    expect(again.ok && again.value?.refreshToken).toBe(token(3));
  });

  it("restores nothing when nothing is saved, and not with another vault key", async () => {
    const { client, session, storage, vaultKey } = setup();
    expect(await restoreSession({ storage, vaultKey, client })).toEqual({
      ok: true,
      value: undefined,
    });
    await persistSession({ storage, vaultKey, session });
    const wrong = await restoreSession({ storage, vaultKey: new Uint8Array(32), client });
    expect(wrong.ok ? "" : wrong.error.code).toBe("session-locked");
    expect(await stored(storage)).toBeDefined();
  });

  it("says signed-out and forgets the session the relay refused", async () => {
    const { relay, client, session, storage, vaultKey } = setup();
    await persistSession({ storage, vaultKey, session });
    relay.revoked = true;
    const restored = await restoreSession({ storage, vaultKey, client });
    expect(restored.ok ? "" : restored.error.code).toBe("signed-out");
    expect(restored.ok ? "" : restored.error.message).toContain("log in again");
    expect(await stored(storage)).toBeUndefined();
  });

  it("forgets a damaged value, and the session on logout or when the relay ends it", async () => {
    const { client, session, storage, vaultKey } = setup();
    await persistSession({ storage, vaultKey, session });
    const saved = (await stored(storage)) as Uint8Array;
    await storage.save([...SESSION_STORAGE_KEY], saved.subarray(0, 10));
    const damaged = await restoreSession({ storage, vaultKey, client });
    expect(damaged.ok ? "" : damaged.error.code).toBe("session-corrupt");
    expect(await stored(storage)).toBeUndefined();

    await persistSession({ storage, vaultKey, session });
    expect((await session.logout()).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await stored(storage)).toBeUndefined();

    const other = setup();
    await persistSession({ ...other, storage: other.storage });
    other.relay.revoked = true;
    expect((await other.session.refresh()).ok).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await stored(other.storage)).toBeUndefined();

    const last = setup();
    await persistSession(last);
    await forgetSession(last.storage);
    expect(await stored(last.storage)).toBeUndefined();
  });
});
