/**
 * The key bundle opens with the password or the recovery key, re-wraps, keeps the sharing
 * key (version 2), still reads version 1, and refuses damage.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createDocumentKeys } from "../crypto/document-keys.js";
import { loadSodium, type Sodium } from "../crypto/sodium.js";
import { systemRandom } from "../runtime.js";
import {
  type AccountSecrets,
  addShareKeyToBundle,
  createAccountBundle,
  createShareKeys,
  openAccountBundle,
  rewrapAccountBundle,
} from "./account-bundle.js";

let sodium: Sodium;
let secrets: AccountSecrets;
const passwordKey = new Uint8Array(32).fill(1);
const recoveryKey = new Uint8Array(32).fill(2);
beforeAll(async () => {
  sodium = await loadSodium();
  secrets = {
    accountKey: systemRandom.bytes(32),
    vaultKey: systemRandom.bytes(32),
    library: { libraryId: "2x8Lib7zWq3vK9ptRmNc", libraryKeys: createDocumentKeys(sodium) },
    shareKeys: createShareKeys(sodium),
  };
});

const bundleOf = () =>
  createAccountBundle(sodium, { secrets, passwordKey, recoveryKey, random: systemRandom });

describe("account bundle", () => {
  it("opens with the password's key and with the recovery key", () => {
    const bundle = bundleOf();
    for (const [wrappingKey, method] of [
      [passwordKey, "password"],
      [recoveryKey, "recovery"],
    ] as const) {
      const opened = openAccountBundle(sodium, bundle, { wrappingKey, method });
      expect(opened.ok && opened.value).toEqual(secrets);
    }
  });

  it("holds no secret in the clear", () => {
    const text = sodium.to_string(bundleOf());
    for (const secret of [
      secrets.accountKey,
      secrets.vaultKey,
      secrets.library.libraryKeys.readKey,
      secrets.shareKeys?.secretKey ?? new Uint8Array(32),
    ]) {
      expect(text).not.toContain(sodium.to_base64(secret, sodium.base64_variants.ORIGINAL));
      expect(text).not.toContain(sodium.to_hex(secret));
    }
  });

  it("re-wraps for a new password: the old one stops working, the recovery key still works", () => {
    const newKey = new Uint8Array(32).fill(3);
    const rewrapped = rewrapAccountBundle(sodium, bundleOf(), {
      accountKey: secrets.accountKey,
      passwordKey: newKey,
      random: systemRandom,
    });
    if (!rewrapped.ok) throw new Error(rewrapped.error.message);
    const old = openAccountBundle(sodium, rewrapped.value, {
      wrappingKey: passwordKey,
      method: "password",
    });
    expect(old.ok ? "" : old.error.code).toBe("bundle-locked");
    expect(
      openAccountBundle(sodium, rewrapped.value, { wrappingKey: newKey, method: "password" }).ok,
    ).toBe(true);
    expect(
      openAccountBundle(sodium, rewrapped.value, { wrappingKey: recoveryKey, method: "recovery" })
        .ok,
    ).toBe(true);
  });

  it("keeps the sharing key: version 2 holds it, a version 1 bundle reads without and upgrades", () => {
    const json = JSON.parse(sodium.to_string(bundleOf())) as Record<string, unknown>;
    expect(json.version).toBe(2);
    const { shareKey: _dropped, ...rest } = json;
    const v1 = sodium.from_string(JSON.stringify({ ...rest, version: 1 }));
    const opened = openAccountBundle(sodium, v1, { wrappingKey: passwordKey, method: "password" });
    expect(opened.ok && opened.value).toEqual({ ...secrets, shareKeys: null });
    const shareKeys = createShareKeys(sodium);
    const upgraded = addShareKeyToBundle(sodium, v1, {
      accountKey: secrets.accountKey,
      shareKeys,
      random: systemRandom,
    });
    if (!upgraded.ok) throw new Error(upgraded.error.message);
    expect(JSON.parse(sodium.to_string(upgraded.value)).version).toBe(2);
    const reopened = openAccountBundle(sodium, upgraded.value, {
      wrappingKey: recoveryKey,
      method: "recovery",
    });
    expect(reopened.ok && reopened.value.shareKeys).toEqual(shareKeys);
    // A password change keeps it.
    const rewrapped = rewrapAccountBundle(sodium, upgraded.value, {
      accountKey: secrets.accountKey,
      passwordKey: new Uint8Array(32).fill(4),
      random: systemRandom,
    });
    if (!rewrapped.ok) throw new Error(rewrapped.error.message);
    const afterChange = openAccountBundle(sodium, rewrapped.value, {
      wrappingKey: new Uint8Array(32).fill(4),
      method: "password",
    });
    expect(afterChange.ok && afterChange.value.shareKeys).toEqual(shareKeys);
  });

  it("reports damage as bundle-corrupt", () => {
    const bundle = bundleOf();
    const json = JSON.parse(sodium.to_string(bundle)) as {
      vaultKey: string;
      library: { keys: string };
      shareKey: { publicKey: string; secretKey: string };
    };
    const flipped = (text: string) =>
      `${text.slice(0, 10)}${text[10] === "A" ? "B" : "A"}${text.slice(11)}`;
    for (const damaged of [
      { ...json, vaultKey: flipped(json.vaultKey) },
      { ...json, library: { ...json.library, keys: flipped(json.library.keys) } },
      { ...json, shareKey: { ...json.shareKey, secretKey: flipped(json.shareKey.secretKey) } },
      { ...json, shareKey: undefined },
      { format: "something else" },
    ]) {
      const opened = openAccountBundle(sodium, sodium.from_string(JSON.stringify(damaged)), {
        wrappingKey: passwordKey,
        method: "password",
      });
      expect(opened.ok ? "" : opened.error.code).toBe("bundle-corrupt");
    }
    const notJson = openAccountBundle(sodium, new Uint8Array([1, 2]), {
      wrappingKey: passwordKey,
      method: "password",
    });
    expect(notJson.ok ? "" : notJson.error.code).toBe("bundle-corrupt");
  });
});
