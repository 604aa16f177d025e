/** Pairing links: the mailbox opens only with its own link, and links parse strictly. */
import { beforeAll, describe, expect, it } from "vitest";
import { createDocumentKeys } from "../crypto/document-keys.js";
import { loadSodium, type Sodium } from "../crypto/sodium.js";
import { systemRandom } from "../runtime.js";
import type { LibraryAccess } from "./account-bundle.js";
import { createPairingLink, openPairing, parsePairingLink, sealPairing } from "./pairing-link.js";

let sodium: Sodium;
let library: LibraryAccess;
beforeAll(async () => {
  sodium = await loadSodium();
  library = { libraryId: "2x8Lib7zWq3vK9ptRmNc", libraryKeys: createDocumentKeys(sodium) };
});

describe("pairing link", () => {
  it("opens with the link that made it, and with no other", () => {
    const pairing = createPairingLink(sodium, systemRandom);
    const sealed = sealPairing(sodium, systemRandom, pairing, library);
    const parsed = parsePairingLink(sodium, ` ${pairing.link} `);
    expect(parsed?.mailboxId).toBe(pairing.mailboxId);
    const opened = parsed && openPairing(sodium, parsed, sealed);
    expect(opened?.ok && opened.value).toEqual(library);
    const other = createPairingLink(sodium, systemRandom);
    const wrong = openPairing(sodium, other, sealed);
    expect(wrong.ok ? "" : wrong.error.code).toBe("pairing-corrupt");
    // The same key under another mailbox id does not open it either (bound to the id).
    const moved = openPairing(sodium, { ...pairing, mailboxId: other.mailboxId }, sealed);
    expect(moved.ok).toBe(false);
  });

  it("keeps the key out of the mailbox id and the sealed bytes", () => {
    const pairing = createPairingLink(sodium, systemRandom);
    const sealed = sealPairing(sodium, systemRandom, pairing, library);
    const secret = pairing.link.slice("ridevault-pair-1.".length);
    expect(pairing.mailboxId).not.toContain(secret.slice(0, 16));
    expect(Buffer.from(sealed).includes(Buffer.from(pairing.key))).toBe(false);
    expect(Buffer.from(sealed).includes(Buffer.from(library.libraryKeys.readKey))).toBe(false);
  });

  it("refuses what is not a pairing link", () => {
    expect(parsePairingLink(sodium, "ridevault-invite-1.abc")).toBeUndefined();
    expect(parsePairingLink(sodium, "ridevault-pair-1.tooshort")).toBeUndefined();
    expect(parsePairingLink(sodium, "ridevault-pair-1.!!!")).toBeUndefined();
  });
});
