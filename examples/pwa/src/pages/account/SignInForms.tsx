/**
 * The forms of a device without a working session: create an account (this device's rides
 * become the account's), log in, recover with the recovery code after a forgotten password,
 * and join an account by a pairing link from another device. Logging in on a device whose
 * vault is not the account's replaces its empty vault with the account's (see `signIn`).
 */
import { type FormEvent, useState } from "react";
import { checkNewPassword } from "../../account/account-messages.js";
import { useApp } from "../../app-context.js";
import {
  CurrentPasswordField,
  EmailField,
  Field,
  NewPasswordFields,
  SubmitButton,
  useAction,
} from "./account-form.js";

/** Registration; `onRecoveryCode` receives the code to show once. */
export function RegisterForm({
  onRecoveryCode,
}: {
  readonly onRecoveryCode: (code: string, warning: string | null) => void;
}) {
  const { account, vault, settings, saveSettings } = useApp();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const problem = checkNewPassword(password, again);
      if (problem) return problem;
      const done = await account.register({ email, password, vault });
      if (!done.ok) return done.message;
      if (settings.localOnly) saveSettings({ ...settings, localOnly: false });
      onRecoveryCode(done.value.recoveryCode, done.value.warning);
      return null;
    });
  };
  return (
    <form aria-labelledby="register-title" onSubmit={submit} className="account-form">
      <h2 id="register-title">Create an account</h2>
      <p className="note">
        The rides on this device become your account's, and any device you log in to gets them. Your
        password never leaves this device: the relay stores only keys it cannot open.
      </p>
      <EmailField id="register-email" value={email} onChange={setEmail} />
      <NewPasswordFields
        ids={["register-password", "register-again"]}
        label="Password"
        hint="At least 8 characters."
        password={password}
        again={again}
        onPassword={setPassword}
        onAgain={setAgain}
      />
      <SubmitButton action={action} className="primary">
        Create account
      </SubmitButton>
    </form>
  );
}

/** Log in with email and password. */
export function LogInForm({ email: knownEmail = "" }: { readonly email?: string }) {
  const { account, signIn } = useApp();
  const [email, setEmail] = useState(knownEmail);
  const [password, setPassword] = useState("");
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const done = await account.logIn({ email, password });
      return done.ok ? signIn(done.value) : done.message;
    });
  };
  return (
    <form aria-labelledby="login-title" onSubmit={submit} className="account-form">
      <h2 id="login-title">Log in</h2>
      <EmailField id="login-email" value={email} onChange={setEmail} />
      <CurrentPasswordField
        id="login-password"
        label="Password"
        value={password}
        onChange={setPassword}
      />
      <SubmitButton action={action} className="primary">
        Log in
      </SubmitButton>
    </form>
  );
}

/** Forgot the password: the recovery code proves the account, then a new password is set. */
export function RecoverForm({ email: knownEmail = "" }: { readonly email?: string }) {
  const { account, signIn } = useApp();
  const [email, setEmail] = useState(knownEmail);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const problem = checkNewPassword(password, again);
      if (problem) return problem;
      const done = await account.recover({ email, recoveryCode: code, newPassword: password });
      return done.ok ? signIn(done.value) : done.message;
    });
  };
  return (
    <details className="account-more">
      <summary>Forgot your password? Use your recovery code</summary>
      <form aria-label="Recover with the recovery code" onSubmit={submit} className="account-form">
        <EmailField id="recover-email" value={email} onChange={setEmail} />
        <Field
          id="recover-code"
          label="Recovery code"
          autoComplete="off"
          hint="The 32 characters shown when you created the account."
          value={code}
          onChange={setCode}
        />
        <NewPasswordFields
          ids={["recover-password", "recover-again"]}
          label="New password"
          password={password}
          again={again}
          onPassword={setPassword}
          onAgain={setAgain}
        />
        <SubmitButton action={action}>Recover and set the new password</SubmitButton>
      </form>
    </details>
  );
}

/** Join an account with a pairing link (prefilled when the page was opened from one). */
export function JoinByLinkForm() {
  const { account, signIn } = useApp();
  const fromUrl = new URLSearchParams(window.location.hash.slice(1)).get("pair") ?? "";
  const [link, setLink] = useState(fromUrl);
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const done = await account.joinByLink(link);
      if (!done.ok) return done.message;
      const problem = await signIn(done.value);
      if (problem === null && window.location.hash)
        window.history.replaceState(null, "", "/account");
      return problem;
    });
  };
  return (
    <form aria-labelledby="pair-join-title" onSubmit={submit} className="account-form">
      <h2 id="pair-join-title">Join with a pairing link</h2>
      <p className="note">
        On a device that is signed in, choose <em>Pair a device</em> and open its link here. It
        signs this device in without typing the password.
      </p>
      <Field
        id="pair-link"
        label="Pairing link"
        autoComplete="off"
        value={link}
        onChange={setLink}
      />
      <SubmitButton action={action} working="Joining…">
        Join account
      </SubmitButton>
    </form>
  );
}

/** The recovery code, shown once after registration until the rider says it is saved. */
export function RecoveryCodeNotice({
  code,
  warning,
  onSaved,
}: {
  readonly code: string;
  readonly warning: string | null;
  readonly onSaved: () => void;
}) {
  const [saved, setSaved] = useState(false);
  return (
    <section aria-labelledby="recovery-title" className="recovery-code">
      <h2 id="recovery-title">Your recovery code</h2>
      <p>
        If you forget your password, this code is the only way back into your account: nobody, not
        even the relay's operator, can reset it for you. It is shown <strong>only now</strong>.
        Write it down or keep it in a password manager.
      </p>
      {warning && <p role="alert">{warning}</p>}
      <p className="code" data-testid="recovery-code">
        {code}
      </p>
      <div className="button-row">
        <button
          type="button"
          onClick={() => void navigator.clipboard?.writeText(code).catch(() => undefined)}
        >
          Copy code
        </button>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={saved}
          onChange={(event) => setSaved(event.target.checked)}
        />
        I have saved my recovery code
      </label>
      <button type="button" className="primary" disabled={!saved} onClick={onSaved}>
        Continue
      </button>
    </section>
  );
}
