/**
 * Accounts from configuration: the mode's default by host, the secret file made once and
 * checked, per-account limits, and with PostgreSQL one secret in the database for every instance.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/postgres-database.js";
import { readConfig } from "../config.js";
import { openConfiguredAccounts } from "./open-accounts.js";
import { PostgresAccountStore } from "./postgres-account-store.js";

const dir = mkdtempSync(path.join(tmpdir(), "ridevault-accounts-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("account configuration", () => {
  it("requires accounts on a public host and makes them optional on loopback", () => {
    const mode = (argv: string[], env: Record<string, string> = {}) => {
      const config = readConfig(argv, env);
      return config.ok ? config.value.accounts : config.message;
    };
    expect(mode([])).toBe("optional");
    expect(mode(["--host", "0.0.0.0"])).toBe("required");
    expect(mode(["--host", "0.0.0.0", "--accounts", "optional"])).toBe("optional");
    expect(mode([], { RIDEVAULT_ACCOUNTS: "off" })).toBe("off");
    expect(mode(["--accounts", "maybe"])).toMatch(/required, optional or off/);
    const rate = readConfig(["--login-rate", "0"], {});
    expect(rate.ok ? "" : rate.message).toMatch(/login rate/);
  });

  it("reads per-account limits with sensible defaults, and refuses nonsense", () => {
    const defaults = readConfig([], {});
    expect(defaults.ok && defaults.value).toMatchObject({
      quotaBytes: 1024 ** 3,
      quotaDocuments: 10_000,
      pushRate: 600,
      createRate: 120,
    });
    const set = readConfig(["--quota-bytes", "5000", "--push-rate", "7"], {
      RIDEVAULT_QUOTA_DOCUMENTS: "3",
      RIDEVAULT_CREATE_RATE: "2",
    });
    expect(set.ok && set.value).toMatchObject({
      quotaBytes: 5000,
      quotaDocuments: 3,
      pushRate: 7,
      createRate: 2,
    });
    const bad = readConfig(["--quota-documents", "-1"], {});
    expect(bad.ok ? "" : bad.message).toMatch(/quota documents must be a positive integer/);
  });

  it("makes a private secret once, keeps it, and refuses a short one", async () => {
    const config = {
      dataDir: dir,
      accounts: "required",
      secretFile: null,
      tokenAudience: "a",
      loginRate: 10,
    } as const;
    const first = await openConfiguredAccounts(config);
    if (!first.ok || !first.value) throw new Error("accounts did not open");
    const file = path.join(dir, "relay-secret");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.value.requireAccount).toBe(true);
    expect(first.value.rateLimits?.login).toEqual({ burst: 10, perMinute: 10 });
    await first.value.store.close();
    const again = await openConfiguredAccounts(config);
    if (!again.ok || !again.value) throw new Error("accounts did not reopen");
    expect(again.value.secret).toEqual(first.value.secret);
    expect(Buffer.from(again.value.secret).toString("hex")).toBe(readFileSync(file, "utf8").trim());
    await again.value.store.close();

    const short = path.join(dir, "short-secret");
    writeFileSync(short, "abcd\n");
    const refused = await openConfiguredAccounts({ ...config, secretFile: short });
    expect(refused.ok ? "" : refused.error.message).toMatch(/at least 32 bytes/);
    const missing = await openConfiguredAccounts({
      ...config,
      secretFile: path.join(dir, "none"),
    });
    expect(missing.ok ? "" : missing.error.message).toMatch(/does not exist/);
    expect(await openConfiguredAccounts({ ...config, accounts: "off" })).toEqual({
      ok: true,
      value: undefined,
    });
  });
});

describe("account configuration with PostgreSQL", () => {
  const testDatabase = useTestDatabase();

  it("keeps accounts and one shared secret in the database, unless a secret file is named", async () => {
    const config = {
      dataDir: dir,
      accounts: "required",
      secretFile: null,
      tokenAudience: "a",
      loginRate: 10,
      databaseUrl: testDatabase().url,
      quotaDocuments: 7,
      pushRate: 9,
    } as const;
    const [one, two] = await Promise.all([
      openConfiguredAccounts(config),
      openConfiguredAccounts(config),
    ]);
    if (!one.ok || !one.value || !two.ok || !two.value) throw new Error("accounts did not open");
    expect(one.value.store).toBeInstanceOf(PostgresAccountStore);
    expect(one.value.secret).toEqual(two.value.secret);
    expect(one.value.limits).toEqual({ quotaDocuments: 7, push: { burst: 9, perMinute: 9 } });
    await one.value.store.close();
    await two.value.store.close();
    const file = path.join(dir, "shared-secret");
    writeFileSync(file, `${"ab".repeat(32)}\n`);
    const named = await openConfiguredAccounts({ ...config, secretFile: file });
    if (!named.ok || !named.value) throw new Error("accounts did not open");
    expect(Buffer.from(named.value.secret).toString("hex")).toBe("ab".repeat(32));
    await named.value.store.close();
  });
});
