/**
 * The share endpoints refuse bad input with the right status and a clear code, and change
 * nothing: malformed bodies, missing or oversized fields, proofs not signed by the document's
 * write key, another account's document, stale rotations, unknown or foreign capabilities.
 * Also over the sync socket: a grant opens only the documents it names. A real relay process
 * on SQLite with accounts optional (capability-only documents and an account's documents).
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createDocumentKeys,
  createShareSecret,
  type DocumentKeys,
  deriveAccessSecret,
  deriveShareKeys,
  hashAccessSecret,
  loadSodium,
  type Sodium,
  shareProofMessage,
  signShareProof,
  systemRandom,
  toBase64Url,
  unwrap,
} from "@ridevault/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AccountsRelayProcess,
  connectWithToken,
  registerRider,
  startAccountsRelay,
} from "./accounts-helpers.js";
import { registerRaw } from "./raw-documents.js";

let dir: string;
let relay: AccountsRelayProcess;
let sodium: Sodium;
/** A capability-only document and its keys. */
const free = { docId: "4z1Nkd9bYs5xM2rvTpQe", keys: undefined as unknown as DocumentKeys };
/** A document owned by an account. */
const owned = { docId: "5a2Pme1cZt6yN3swUqRf", keys: undefined as unknown as DocumentKeys };
let ownerToken: string;
let otherToken: string;

beforeAll(async () => {
  sodium = await loadSodium();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-share-routes-"));
  relay = await startAccountsRelay(dir, ["--accounts", "optional", "--login-rate", "60"]);
  free.keys = createDocumentKeys(sodium);
  owned.keys = createDocumentKeys(sodium);
  const anonymous = await connectWithToken(relay.url, null);
  await registerRaw(anonymous, sodium, free.docId, free.keys);
  anonymous.close();
  ownerToken = unwrap(
    await (await registerRider(relay, "owner@example.org")).session.accessToken(),
  );
  otherToken = unwrap(
    await (await registerRider(relay, "other@example.org")).session.accessToken(),
  );
  const client = await connectWithToken(relay.url, ownerToken);
  await registerRaw(client, sodium, owned.docId, owned.keys);
  client.close();
});

afterAll(async () => {
  await relay?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  code: string | undefined;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${relay.origin}/v1/shares${route}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const json = (await response.json()) as Record<string, unknown>;
  return {
    status: response.status,
    code: (json.error as { code?: string } | undefined)?.code,
    body: json,
  };
}

/** A valid grant request for `doc`, signed with `signer` (default: its write key). */
function grantRequest(
  doc: { docId: string; keys: DocumentKeys },
  overrides: Record<string, unknown> = {},
  signer: DocumentKeys = doc.keys,
  share = deriveShareKeys(sodium, createShareSecret(systemRandom)),
) {
  const capabilityHash = hashAccessSecret(sodium, share.capability);
  const expiresAt = null;
  const message = shareProofMessage("create-grant", doc.docId, [
    share.grantId,
    toBase64Url(capabilityHash),
    "read",
    expiresAt,
    null,
  ]);
  const signature = signShareProof(sodium, message, signer.writeKey?.secretKey as Uint8Array);
  return {
    share,
    body: {
      grantId: share.grantId,
      capabilityHash: toBase64Url(capabilityHash),
      docIds: [doc.docId],
      mode: "read",
      expiresAt,
      recipient: null,
      keyring: toBase64Url(new Uint8Array(64).fill(7)),
      sealedSecret: null,
      proofs: { [doc.docId]: toBase64Url(signature) },
      ...overrides,
    },
  };
}

describe("share endpoints refuse bad input", () => {
  it("creates a valid grant once, and answers a retry as existing", async () => {
    const { body, share } = grantRequest(free);
    expect((await call("POST", "", body)).status).toBe(201);
    expect((await call("POST", "", body)).status).toBe(200);
    const fetched = await call("GET", "/keyring", undefined, {
      "x-share-capability": toBase64Url(share.capability),
    });
    expect(fetched.status).toBe(200);
    expect(fetched.body.docIds).toEqual([free.docId]);
    // The same id with another capability is a conflict.
    const stranger = deriveShareKeys(sodium, createShareSecret(systemRandom));
    const other = grantRequest(free, {}, free.keys, { ...share, capability: stranger.capability });
    expect((await call("POST", "", other.body)).code).toBe("conflict");
  });

  it("refuses malformed bodies and fields with 400/413", async () => {
    expect((await call("POST", "", "{not json")).status).toBe(400);
    expect((await call("POST", "", [])).status).toBe(400);
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ grantId: "XYZ" }, 400, /grantId/],
      [{ capabilityHash: toBase64Url(new Uint8Array(31)) }, 400, /capabilityHash must be 32/],
      [{ docIds: [] }, 400, /1–500/],
      [{ docIds: ["not a doc id!"] }, 400, /docId/],
      [{ mode: "admin" }, 400, /mode/],
      [{ expiresAt: 1 }, 400, /past/],
      [{ expiresAt: "soon" }, 400, /expiresAt/],
      [{ keyring: toBase64Url(new Uint8Array(300 * 1024)) }, 413, /keyring/],
      [{ proofs: null }, 400, /proofs/],
    ];
    for (const [override, status, message] of cases) {
      const answer = await call("POST", "", grantRequest(free, override).body);
      expect(answer.status, JSON.stringify(override).slice(0, 60)).toBe(status);
      expect(JSON.stringify(answer.body)).toMatch(message);
    }
  });

  it("refuses a proof not signed by the document's write key, and another account's document", async () => {
    const forged = grantRequest(free, {}, createDocumentKeys(sodium));
    expect((await call("POST", "", forged.body)).code).toBe("bad-proof");
    const { share } = forged;
    const missing = await call("GET", "/keyring", undefined, {
      "x-share-capability": toBase64Url(share.capability),
    });
    expect(missing.status).toBe(404);
    // An owned document: without the owner's token, or with another account's, it is missing.
    const ownedRequest = grantRequest(owned).body;
    expect((await call("POST", "", ownedRequest)).status).toBe(404);
    expect(
      (await call("POST", "", ownedRequest, { authorization: `Bearer ${otherToken}` })).status,
    ).toBe(404);
    expect(
      (await call("POST", "", grantRequest(owned).body, { authorization: `Bearer ${ownerToken}` }))
        .status,
    ).toBe(201);
    expect((await call("POST", "", ownedRequest, { authorization: "Bearer nonsense" })).code).toBe(
      "invalid-token",
    );
  });

  it("refuses stale or unsigned rotations and old listing proofs", async () => {
    const next = createDocumentKeys(sodium, 1);
    const accessHash = hashAccessSecret(sodium, deriveAccessSecret(sodium, next.readKey));
    const rotation = (generation: number, signer: DocumentKeys) => {
      const message = shareProofMessage("rotate", free.docId, [
        generation,
        toBase64Url(next.writePublicKey),
        toBase64Url(accessHash),
        "",
        "",
      ]);
      return {
        docId: free.docId,
        generation,
        writePublicKey: toBase64Url(next.writePublicKey),
        accessHash: toBase64Url(accessHash),
        revoke: [],
        keyrings: [],
        signature: toBase64Url(
          signShareProof(sodium, message, signer.writeKey?.secretKey as Uint8Array),
        ),
      };
    };
    expect((await call("POST", "/rotate", rotation(1, next))).code).toBe("bad-proof");
    expect((await call("POST", "/rotate", rotation(0, free.keys))).code).toBe("stale-generation");
    expect((await call("POST", "/rotate", { ...rotation(1, free.keys), revoke: "x" })).status).toBe(
      400,
    );
    const signedAt = Date.now() - 10 * 60_000;
    const message = shareProofMessage("list-grants", free.docId, [signedAt]);
    const signature = signShareProof(sodium, message, free.keys.writeKey?.secretKey as Uint8Array);
    const old = await call("POST", "/list", {
      docId: free.docId,
      signedAt,
      signature: toBase64Url(signature),
    });
    expect(old.status).toBe(400);
    expect(JSON.stringify(old.body)).toMatch(/clock/);
  });

  it("answers capability lookups and incoming lists only as they should", async () => {
    expect((await call("GET", "/keyring")).status).toBe(400);
    const unknown = await call("GET", "/keyring", undefined, {
      "x-share-capability": toBase64Url(new Uint8Array(32).fill(9)),
    });
    expect(unknown.status).toBe(404);
    expect((await call("GET", "/incoming")).code).toBe("invalid-token");
    const mine = await call("GET", "/incoming", undefined, {
      authorization: `Bearer ${otherToken}`,
    });
    expect(mine.body.grants).toEqual([]);
    expect((await call("DELETE", "/whatever")).status).toBe(404);
  });

  it("a grant opens only the documents it names on the sync socket", async () => {
    const { body, share } = grantRequest(free);
    expect((await call("POST", "", body)).status).toBe(201);
    const socket = await connectWithToken(relay.url, null);
    socket.send({
      type: "subscribe",
      id: 3,
      docId: free.docId,
      afterSeq: 0,
      accessSecret: share.capability,
    });
    expect((await socket.next((m) => "id" in m && m.id === 3)).type).toBe("caught-up");
    socket.send({
      type: "subscribe",
      id: 4,
      docId: owned.docId,
      afterSeq: 0,
      accessSecret: share.capability,
    });
    const refused = await socket.next((m) => m.type === "error" && m.id === 4);
    // Accounts are optional here, so the document is visible; the capability does not open it.
    expect(refused.type === "error" && refused.code).toBe("forbidden");
    socket.close();
  });
});
