/**
 * Accounts end to end, through a real relay process with real SQLite files: register on
 * device A and record; log in on device B with email and password → B receives the library
 * and every workout; pair device D by a one-time link; change the password on A → B is signed out, the old password fails,
 * the new one works and nothing is uploaded again; recover with the recovery code after
 * "forgetting" the password. Afterwards the relay's files hold no password, recovery code,
 * key or plaintext (canary). Tiny Argon2id parameters via `unsafeTestKdf` keep it fast.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  changePassword,
  createPairing,
  joinByPairingLink,
  logIn,
  recoverAccount,
  unwrap,
} from "@ridevault/core";
import { afterAll, describe, expect, it } from "vitest";
import {
  type AccountsRelayProcess,
  clientFor,
  envelopesStored,
  openAccountDevice,
  registerVaultDevice,
  startAccountsRelay,
  tryUpgrade,
} from "./accounts-helpers.js";
import {
  closeDevices,
  type Device,
  eventually,
  record,
  ride,
  sameAs,
  snapshot,
} from "./devices.js";

const T0 = Date.UTC(2026, 4, 1, 6, 0, 0);
const EMAIL = "Rider@Example.org";
const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "tandem llama 42 hills";
const LAST_PASSWORD = "after recovery 99";
const TITLE = "Canary col du Galibier 5521";

describe("accounts across devices", () => {
  let relay: AccountsRelayProcess;
  let dir: string;
  const devices: Device[] = [];
  afterAll(async () => {
    await closeDevices(devices);
    await relay?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("register on A, log in on B, change password, recover — and the relay learns nothing", async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-accounts-"));
    relay = await startAccountsRelay(dir, ["--accounts", "required", "--login-rate", "60"]);
    const client = clientFor(relay.url);
    const testKdf = { client, unsafeTestKdf: true } as const;

    // Without an account this public-mode relay refuses the upgrade itself.
    expect((await tryUpgrade(relay.url, { protocols: ["ridevault.v1"] })).status).toBe(401);

    // Device A: a local vault first, then an account for it, then sync through it.
    const registered = await registerVaultDevice("A", relay.url, EMAIL, PASSWORD);
    expect(registered.recoveryCode).toMatch(/^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/);
    const a = registered.device;
    devices.push(a);
    const first = unwrap(await a.vault.workouts.create({ title: TITLE, startTime: T0 }));
    await record(a, first.id, ride(T0, 240, 1));
    const second = unwrap(
      await a.vault.workouts.create({ title: "Recovery spin", startTime: T0 + 86_400_000 }),
    );
    await record(a, second.id, ride(T0 + 86_400_000, 120, 2));
    await a.sync.whenSynced(20_000);

    // Device B: email and password only.
    const loggedIn = unwrap(
      await logIn({ ...testKdf, email: "  rider@example.ORG ", password: PASSWORD }),
    );
    expect(loggedIn.session.accountId).toBe(registered.session.accountId);
    const b = await openAccountDevice("B", relay.url, loggedIn.session, loggedIn.library);
    devices.push(b);
    const expected = await snapshot(a);
    await eventually(() => sameAs(b, expected), 20_000, "B has A's library and workouts");
    expect(
      b.vault.workouts
        .list()
        .map((e) => e.title)
        .sort(),
    ).toEqual([TITLE, "Recovery spin"]);

    // Device D pairs by a one-time link from A: no password typed.
    const pairing = unwrap(
      await createPairing({
        client,
        session: registered.session,
        library: await a.vault.libraryAccess(),
      }),
    );
    const paired = unwrap(await joinByPairingLink({ client, link: pairing.link }));
    expect(paired.session.accountId).toBe(registered.session.accountId);
    const deviceD = await openAccountDevice("D", relay.url, paired.session, paired.library);
    devices.push(deviceD);
    await eventually(() => sameAs(deviceD, expected), 20_000, "D has everything");
    const reused = await joinByPairingLink({ client, link: pairing.link });
    expect(reused.ok ? "" : reused.error.code).toBe("pairing-invalid");

    // Wrong password: the same error as an unknown email.
    const wrong = await logIn({ ...testKdf, email: EMAIL, password: "nope" });
    const unknown = await logIn({ ...testKdf, email: "nobody@example.org", password: "nope" });
    expect(wrong.ok ? "" : wrong.error).toEqual(unknown.ok ? "" : unknown.error);
    expect(wrong.ok ? "" : wrong.error.code).toBe("invalid-credentials");

    // Change the password on A: B is signed out; nothing is uploaded again.
    const storedBefore = await envelopesStored(relay);
    unwrap(
      await changePassword({
        ...testKdf,
        session: registered.session,
        email: EMAIL,
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
      }),
    );
    const refreshed = await loggedIn.session.refresh();
    expect(refreshed.ok ? "" : refreshed.error.code).toBe("refresh-invalid");
    expect(loggedIn.session.signedOut).toBe(true);
    expect((await registered.session.refresh()).ok).toBe(true);
    const old = await logIn({ ...testKdf, email: EMAIL, password: PASSWORD });
    expect(old.ok ? "" : old.error.code).toBe("invalid-credentials");
    const again = unwrap(await logIn({ ...testKdf, email: EMAIL, password: NEW_PASSWORD }));
    expect(again.library.libraryId).toBe(loggedIn.library.libraryId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(a.sync.status.pending).toBe(0);
    expect(await envelopesStored(relay)).toBe(storedBefore);

    // Forgot the password: the recovery code restores access and sets a new one.
    const recovered = unwrap(
      await recoverAccount({
        ...testKdf,
        email: EMAIL,
        recoveryCode: registered.recoveryCode.toLowerCase(),
        newPassword: LAST_PASSWORD,
      }),
    );
    expect(recovered.library).toEqual(loggedIn.library);
    expect((await logIn({ ...testKdf, email: EMAIL, password: NEW_PASSWORD })).ok).toBe(false);
    const c = unwrap(await logIn({ ...testKdf, email: EMAIL, password: LAST_PASSWORD }));
    const deviceC = await openAccountDevice("C", relay.url, c.session, c.library);
    devices.push(deviceC);
    await eventually(() => sameAs(deviceC, expected), 20_000, "C has everything");

    // Canary: nothing secret or plain in any file the relay wrote, nor in its logs.
    for (const device of devices) await device.sync.stop();
    const secrets = [
      PASSWORD,
      NEW_PASSWORD,
      LAST_PASSWORD,
      registered.recoveryCode,
      TITLE,
      pairing.link.slice("ridevault-pair-1.".length),
    ];
    const libraryKey = Buffer.from(loggedIn.library.libraryKeys.readKey);
    const files = await fs.readdir(dir);
    expect(files).toContain("accounts.sqlite");
    for (const name of files) {
      const bytes = await fs.readFile(path.join(dir, name));
      for (const secret of secrets)
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${name}`).toBe(false);
      expect(bytes.includes(libraryKey), `library key in ${name}`).toBe(false);
    }
    for (const secret of secrets) expect(relay.logs()).not.toContain(secret);
    // Tokens are credentials: never logged either.
    expect(relay.logs()).not.toContain(registered.session.refreshToken);
    const access = unwrap(await registered.session.accessToken());
    expect(relay.logs()).not.toContain(access.split(".")[2]);
  });
});
