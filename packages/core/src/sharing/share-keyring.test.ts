/** Keyrings: only the link's key opens them, read shares never carry write keys, bad bytes never throw. */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createDocumentKeys, type DocumentKeys } from "../crypto/document-keys.js";
import { loadSodium, type Sodium } from "../crypto/sodium.js";
import { systemRandom } from "../runtime.js";
import { buildKeyring, openKeyring, sealKeyring } from "./share-keyring.js";
import { createShareSecret, deriveShareKeys } from "./share-link.js";

let sodium: Sodium;
let keys: Map<string, Map<number, DocumentKeys>>;
beforeAll(async () => {
  sodium = await loadSodium();
  const g0 = createDocumentKeys(sodium, 0);
  const g1 = createDocumentKeys(sodium, 1);
  keys = new Map([
    [
      "2x8Lib7zWq3vK9ptRmNc",
      new Map([
        [0, g0],
        [1, g1],
      ]),
    ],
    ["3y9Mjc8aXr4wL1quSnPd", new Map([[0, createDocumentKeys(sodium, 0)]])],
  ]);
});

function sealed(mode: "read" | "write") {
  const share = deriveShareKeys(sodium, createShareSecret(systemRandom));
  const bytes = sealKeyring(sodium, {
    keyring: buildKeyring(mode, keys),
    keyringKey: share.keyringKey,
    grantId: share.grantId,
    random: systemRandom,
  });
  return { share, bytes };
}

describe("share keyring", () => {
  it("a read keyring holds every generation's read keys and no write key", () => {
    const { share, bytes } = sealed("read");
    const opened = openKeyring(sodium, {
      sealed: bytes,
      keyringKey: share.keyringKey,
      grantId: share.grantId,
    });
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.value.mode).toBe("read");
    const first = opened.value.keysByDocId.get("2x8Lib7zWq3vK9ptRmNc");
    expect(first?.map((k) => k.generation)).toEqual([0, 1]);
    expect(first?.every((k) => k.writeKey === null)).toBe(true);
    expect([...(first?.[1]?.readKey ?? [])]).toEqual([
      ...(keys.get("2x8Lib7zWq3vK9ptRmNc")?.get(1)?.readKey ?? []),
    ]);
  });

  it("a write keyring keeps the newest generation's write key only", () => {
    const { share, bytes } = sealed("write");
    const opened = openKeyring(sodium, {
      sealed: bytes,
      keyringKey: share.keyringKey,
      grantId: share.grantId,
    });
    if (!opened.ok) throw new Error(opened.error.message);
    const first = opened.value.keysByDocId.get("2x8Lib7zWq3vK9ptRmNc");
    expect(first?.map((k) => k.writeKey !== null)).toEqual([false, true]);
  });

  it("does not open with another link, under another grant id, or when damaged", () => {
    const { share, bytes } = sealed("read");
    const other = deriveShareKeys(sodium, createShareSecret(systemRandom));
    const code = (r: ReturnType<typeof openKeyring>) => (r.ok ? "opened" : r.error.code);
    expect(
      code(
        openKeyring(sodium, {
          sealed: bytes,
          keyringKey: other.keyringKey,
          grantId: share.grantId,
        }),
      ),
    ).toBe("keyring-corrupt");
    expect(
      code(
        openKeyring(sodium, {
          sealed: bytes,
          keyringKey: share.keyringKey,
          grantId: other.grantId,
        }),
      ),
    ).toBe("keyring-corrupt");
    const flipped = bytes.slice();
    flipped[40] = (flipped[40] as number) ^ 1;
    expect(
      code(
        openKeyring(sodium, {
          sealed: flipped,
          keyringKey: share.keyringKey,
          grantId: share.grantId,
        }),
      ),
    ).toBe("keyring-corrupt");
    expect(
      code(
        openKeyring(sodium, {
          sealed: bytes.slice(0, 30),
          keyringKey: share.keyringKey,
          grantId: share.grantId,
        }),
      ),
    ).toBe("keyring-corrupt");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (garbage) => {
        expect(
          code(
            openKeyring(sodium, {
              sealed: garbage,
              keyringKey: share.keyringKey,
              grantId: share.grantId,
            }),
          ),
        ).toBe("keyring-corrupt");
      }),
      { numRuns: 100 },
    );
  });

  it("refuses to seal a read keyring that holds a write key", () => {
    const share = deriveShareKeys(sodium, createShareSecret(systemRandom));
    const writeKeys = buildKeyring("write", keys);
    expect(() =>
      sealKeyring(sodium, {
        keyring: { ...writeKeys, mode: "read" },
        keyringKey: share.keyringKey,
        grantId: share.grantId,
        random: systemRandom,
      }),
    ).toThrow(/must not hold a write key/);
  });
});
