/**
 * What a signed-in rider can do: log out (this device or every device), change the password
 * (which signs out every other device), pair another device with a one-time link, and
 * delete the account — after an honest warning and a chance to download everything first.
 */
import { type FormEvent, useState } from "react";
import { checkNewPassword } from "../../account/account-messages.js";
import { useApp } from "../../app-context.js";
import { formatDateTime } from "../../format.js";
import {
  CurrentPasswordField,
  ErrorLine,
  NewPasswordFields,
  SubmitButton,
  useAction,
} from "./account-form.js";
import { PairingQrCode } from "./PairingQrCode.js";

/** The signed-in account's actions; `staysSignedIn`: the session survives a reload. */
export function SignedInPanel({
  email,
  staysSignedIn,
}: {
  readonly email: string;
  readonly staysSignedIn: boolean | null;
}) {
  return (
    <>
      <p data-testid="account-status">
        Signed in as <strong>{email}</strong>. This device syncs with your account.
      </p>
      <p className="note" data-testid="stay-signed-in">
        {staysSignedIn === null
          ? "Saving your sign-in on this device…"
          : staysSignedIn
            ? "This device stays signed in when you reload or reopen the app."
            : "Log in with your password once to stay signed in on this device."}
      </p>
      <LogOut />
      <ChangePassword />
      <PairDevice />
      <DeleteAccount />
    </>
  );
}

function LogOut() {
  const { account } = useApp();
  const action = useAction();
  const logOut = (everywhere: boolean) =>
    void action.run(async () => {
      const done = await account.logOut(everywhere);
      return done.ok ? null : done.message;
    });
  return (
    <section aria-labelledby="logout-title">
      <h2 id="logout-title">Log out</h2>
      <p className="note">
        Your rides stay on this device; sync pauses until you log in again. Logging out of every
        device also signs out your phone, laptop and any other device of this account.
      </p>
      <div className="button-row">
        <button type="button" disabled={action.busy} onClick={() => logOut(false)}>
          Log out of this device
        </button>
        <button type="button" disabled={action.busy} onClick={() => logOut(true)}>
          Log out of all devices
        </button>
      </div>
      <ErrorLine error={action.error} />
    </section>
  );
}

function ChangePassword() {
  const { account } = useApp();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [done, setDone] = useState(false);
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    void action.run(async () => {
      const problem = checkNewPassword(next, again);
      if (problem) return problem;
      const changed = await account.changePassword(current, next);
      if (!changed.ok) return changed.message;
      setCurrent("");
      setNext("");
      setAgain("");
      setDone(true);
      return null;
    });
  };
  return (
    <form aria-labelledby="password-title" onSubmit={submit} className="account-form">
      <h2 id="password-title">Change password</h2>
      <p className="note">
        Nothing is re-encrypted; every other device of this account is signed out and logs in with
        the new password.
      </p>
      <CurrentPasswordField
        id="current-password"
        label="Current password"
        value={current}
        onChange={setCurrent}
      />
      <NewPasswordFields
        ids={["new-password", "new-password-again"]}
        label="New password"
        password={next}
        again={again}
        onPassword={setNext}
        onAgain={setAgain}
      />
      <SubmitButton action={action}>Change password</SubmitButton>
      <output aria-live="polite">
        {done && "Password changed. Your other devices are signed out: log in there again."}
      </output>
    </form>
  );
}

function PairDevice() {
  const { account, vault } = useApp();
  const [pairing, setPairing] = useState<{ link: string; expiresAt: number } | null>(null);
  const [copied, setCopied] = useState(false);
  const action = useAction();
  const create = () =>
    void action.run(async () => {
      setCopied(false);
      const made = await account.createPairing(await vault.libraryAccess());
      if (!made.ok) return made.message;
      setPairing(made.value);
      return null;
    });
  const url = pairing
    ? `${window.location.origin}/account#pair=${encodeURIComponent(pairing.link)}`
    : "";
  return (
    <section aria-labelledby="pair-title">
      <h2 id="pair-title">Pair a device</h2>
      <p className="note">
        A one-time link signs another device in to this account without the password. It works once,
        for 10 minutes: open it only on your own device.
      </p>
      <button type="button" disabled={action.busy} onClick={create}>
        {pairing ? "Make a new pairing link" : "Create pairing link"}
      </button>
      <ErrorLine error={action.error} />
      {pairing && (
        <div className="invite">
          <label htmlFor="pairing-url">
            Pairing link (valid until {formatDateTime(pairing.expiresAt)})
          </label>
          <input id="pairing-url" readOnly value={url} onFocus={(event) => event.target.select()} />
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard
                ?.writeText(url)
                .then(() => setCopied(true))
                .catch(() => undefined)
            }
          >
            Copy link
          </button>
          <output aria-live="polite">{copied && "Copied."}</output>
          <PairingQrCode url={url} />
          <p className="note">
            On the other device scan this code or open the link, or paste the link under{" "}
            <em>Account → Join with a pairing link</em>.
          </p>
        </div>
      )}
    </section>
  );
}

function DeleteAccount() {
  const { account, settings, saveSettings } = useApp();
  const [password, setPassword] = useState("");
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      // The relay no longer holds these rides; syncing anonymously would upload them again.
      const deleted = await account.deleteAccount(password, () =>
        saveSettings({ ...settings, localOnly: true }),
      );
      return deleted.ok ? null : deleted.message;
    });
  };
  return (
    <section aria-labelledby="delete-title" className="danger-zone">
      <h2 id="delete-title">Delete account</h2>
      <p>
        This deletes your account and every ride it synced from the relay, at once and for good.
        Your other devices are signed out and keep only what is already on them. The rides on this
        device stay here (local only) until you clear this browser's data. There is no undo, and the
        recovery code stops working.
      </p>
      <p>
        <a href="#data-title">Download all my data</a> first, so you keep a copy you can import
        anywhere.
      </p>
      <form onSubmit={submit} className="account-form" aria-label="Delete account">
        <CurrentPasswordField
          id="delete-password"
          label="Password, to confirm"
          value={password}
          onChange={setPassword}
        />
        <SubmitButton action={action} className="danger">
          Delete my account
        </SubmitButton>
      </form>
    </section>
  );
}
