/** The account policy: who may connect, create documents and see a document. */
import { describe, expect, it } from "vitest";
import { createAccessTokens } from "./access-token.js";
import { createAccountPolicy } from "./account-policy.js";
import { AccountService } from "./account-service.js";
import { MemoryAccountStore } from "./memory-account-store.js";

function policy(requireAccount: boolean) {
  const secret = new Uint8Array(32).fill(3);
  const service = new AccountService({
    store: new MemoryAccountStore(),
    tokens: createAccessTokens({ secret }),
    secret,
    defaultKdf: { opsLimit: 3, memLimit: 1 << 26 },
  });
  return createAccountPolicy({ service, requireAccount });
}

describe("account policy", () => {
  it("a public relay needs an account to connect and to create", async () => {
    const p = policy(true);
    expect((await p.authenticateUpgrade(null)).ok).toBe(false);
    expect((await p.authenticateUpgrade("not-a-token")).ok).toBe(false);
    expect((await p.authenticate(null, "0123456789abcdef")).ok).toBe(false);
    expect(p.mayCreate?.(null)).toBe(false);
    expect(p.mayCreate?.("acc")).toBe(true);
  });

  it("a private relay also serves devices without an account", async () => {
    const p = policy(false);
    expect(await p.authenticateUpgrade(null)).toEqual({ ok: true, identity: { principal: null } });
    expect(p.mayCreate?.(null)).toBe(true);
    // A token that is present must still be valid.
    expect((await p.authenticateUpgrade("not-a-token")).ok).toBe(false);
  });

  it("hides an account's documents from other accounts; capability-only ones stay open", () => {
    for (const requireAccount of [true, false]) {
      const p = policy(requireAccount);
      expect(p.mayAccess?.("a", "a")).toBe(true);
      expect(p.mayAccess?.("b", "a")).toBe(false);
      expect(p.mayAccess?.("b", null)).toBe(true);
      expect(p.mayAccess?.(null, null)).toBe(true);
    }
  });

  it("lets devices without an account reach owned documents by capability on a private relay only", () => {
    // After an anonymous vault attached to an account, the rider's capability-only devices
    // keep syncing its (now owned) documents.
    expect(policy(false).mayAccess?.(null, "a")).toBe(true);
    expect(policy(true).mayAccess?.(null, "a")).toBe(false);
  });
});
