/** Accounts from configuration: the mode's default by host, the secret file made once and checked. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readConfig } from "../config.js";
import { openConfiguredAccounts } from "./open-accounts.js";

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

  it("makes a private secret once, keeps it, and refuses a short one", async () => {
    const config = {
      dataDir: dir,
      accounts: "required",
      secretFile: null,
      tokenAudience: "a",
      loginRate: 10,
    } as const;
    const first = openConfiguredAccounts(config);
    if (!first.ok || !first.value) throw new Error("accounts did not open");
    const file = path.join(dir, "relay-secret");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.value.requireAccount).toBe(true);
    expect(first.value.rateLimits?.login).toEqual({ burst: 10, perMinute: 10 });
    await first.value.store.close();
    const again = openConfiguredAccounts(config);
    if (!again.ok || !again.value) throw new Error("accounts did not reopen");
    expect(again.value.secret).toEqual(first.value.secret);
    expect(Buffer.from(again.value.secret).toString("hex")).toBe(readFileSync(file, "utf8").trim());
    await again.value.store.close();

    const short = path.join(dir, "short-secret");
    writeFileSync(short, "abcd\n");
    const refused = openConfiguredAccounts({ ...config, secretFile: short });
    expect(refused.ok ? "" : refused.error.message).toMatch(/at least 32 bytes/);
    const missing = openConfiguredAccounts({ ...config, secretFile: path.join(dir, "none") });
    expect(missing.ok ? "" : missing.error.message).toMatch(/does not exist/);
    expect(openConfiguredAccounts({ ...config, accounts: "off" })).toEqual({
      ok: true,
      value: undefined,
    });
  });
});
