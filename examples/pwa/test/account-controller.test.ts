import { MemoryStorageAdapter } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { AccountController, pairingLinkOf } from "../src/account/account-controller.js";
import { accountMessage, checkNewPassword } from "../src/account/account-messages.js";
import { SavedAccount } from "../src/account/saved-account.js";
import { MemoryStorage } from "./memory-storage.js";

const relayUrl = () => "ws://127.0.0.1:9/sync";

describe("AccountController", () => {
  it("starts anonymous, syncing without a token", () => {
    const account = new AccountController({ relayUrl, storage: new MemoryStorage() });
    expect(account.state).toEqual({ kind: "anonymous" });
    expect(account.connection).toBeNull();
  });

  it("after a reload without a saved session: signed out, sync paused, saying why", () => {
    const storage = new MemoryStorage();
    storage.setItem("ridevault.account", JSON.stringify({ email: "a@b.c", accountId: "acc-1" }));
    const account = new AccountController({ relayUrl, storage, saved: null });
    expect(account.state).toMatchObject({ kind: "signed-out", email: "a@b.c" });
    expect(account.state.kind === "signed-out" && account.state.reason).toMatch(
      /log in with your password once to stay signed in/i,
    );
    expect(account.connection).toBe("paused");
  });

  it("after a reload: resumes with sync paused, then says when nothing was saved", async () => {
    const storage = new MemoryStorage();
    storage.setItem("ridevault.account", JSON.stringify({ email: "a@b.c", accountId: "acc-1" }));
    const keys = new Map<string, unknown>();
    const saved = new SavedAccount({
      storage: new MemoryStorageAdapter(),
      keys: {
        get: async (name) => keys.get(name),
        set: async (name, value) => void keys.set(name, value),
        delete: async (name) => void keys.delete(name),
      },
    });
    const account = new AccountController({ relayUrl, storage, saved });
    expect(account.state).toEqual({ kind: "resuming", email: "a@b.c", problem: null });
    expect(account.connection).toBe("paused");
    await new Promise<void>((resolve) => account.subscribe(resolve));
    expect(account.state).toMatchObject({ kind: "signed-out", email: "a@b.c" });
    expect(account.state.kind === "signed-out" && account.state.reason).toMatch(/kept no session/);
    account.dispose();
  });

  it("ignores an unreadable stored account", () => {
    const storage = new MemoryStorage();
    storage.setItem("ridevault.account", "{not json");
    expect(new AccountController({ relayUrl, storage }).state.kind).toBe("anonymous");
    storage.setItem("ridevault.account", JSON.stringify({ email: 42 }));
    expect(new AccountController({ relayUrl, storage }).state.kind).toBe("anonymous");
  });

  it("reports an unreachable relay as a sentence, without signing in", async () => {
    const account = new AccountController({ relayUrl, storage: new MemoryStorage() });
    const done = await account.logIn({ email: "a@b.c", password: "whatever1" });
    expect(done).toEqual({ ok: false, message: expect.stringMatching(/cannot be reached/) });
    expect(account.state.kind).toBe("anonymous");
  });

  it("refuses account actions while not signed in", async () => {
    const account = new AccountController({ relayUrl, storage: new MemoryStorage() });
    const changed = await account.changePassword("old password", "new password");
    expect(changed).toEqual({ ok: false, message: expect.stringMatching(/not signed in/) });
  });
});

describe("pairingLinkOf", () => {
  it("takes the link itself or the app URL that carries it", () => {
    const link = "ridevault-pair-1.AbC_d-9";
    expect(pairingLinkOf(` ${link}\n`)).toBe(link);
    expect(pairingLinkOf(`https://ride.example/account#pair=${encodeURIComponent(link)}`)).toBe(
      link,
    );
  });
});

describe("account messages", () => {
  it("says the same for a wrong password and an unknown email, and what to do", () => {
    const message = accountMessage({ code: "invalid-credentials", message: "x" });
    expect(message).toMatch(/^Wrong email or password\./);
    expect(accountMessage({ code: "rate-limited", message: "x" })).toMatch(/Wait a minute/);
    expect(accountMessage({ code: "network", message: "x" })).toMatch(/cannot be reached/);
    expect(accountMessage({ code: "something-new", message: "the relay is full" })).toBe(
      "The relay is full.",
    );
  });

  it("checks a new password typed twice", () => {
    expect(checkNewPassword("short", "short")).toMatch(/at least 8/);
    expect(checkNewPassword("long enough", "long enougH")).toMatch(/differ/);
    expect(checkNewPassword("long enough", "long enough")).toBeNull();
  });
});
