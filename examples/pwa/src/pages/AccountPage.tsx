/**
 * The account page. Without an account: what an account adds, then log in, recover, create
 * an account, or join one by a pairing link (anonymous, local-only use stays fully
 * supported). Signed in: log out, change password, pair a device, delete the account.
 * Right after a reload: resuming the saved session. Signed out (a logout, a password change
 * elsewhere, or a reload of a device that kept no session): why, and the way back in. "Download all my data" is on every variant. Right after registration the page
 * shows only the recovery code, until the rider confirms it is saved.
 */
import { useState } from "react";
import type { AccountState } from "../account/account-controller.js";
import { useAccount } from "../app-context.js";
import { DownloadAllData } from "../components/DownloadAllData.js";
import { SignedInPanel } from "./account/SignedInPanel.js";
import {
  JoinByLinkForm,
  LogInForm,
  RecoverForm,
  RecoveryCodeNotice,
  RegisterForm,
} from "./account/SignInForms.js";

/** The account page. */
export function AccountPage() {
  const state = useAccount();
  const [recovery, setRecovery] = useState<{ code: string; warning: string | null } | null>(null);
  return (
    <section aria-labelledby="page-title" className="account">
      <h1 id="page-title">Account</h1>
      {recovery ? (
        <RecoveryCodeNotice
          code={recovery.code}
          warning={recovery.warning}
          onSaved={() => setRecovery(null)}
        />
      ) : (
        <AccountBody
          state={state}
          onRecoveryCode={(code, warning) => setRecovery({ code, warning })}
        />
      )}
      <section aria-labelledby="data-title">
        <h2 id="data-title">Your data</h2>
        <p className="note">
          Every ride on this device, the bin included, as JSON (lossless, importable again) and FIT,
          with a README explaining the files.
        </p>
        <DownloadAllData />
      </section>
    </section>
  );
}

function AccountBody({
  state,
  onRecoveryCode,
}: {
  readonly state: AccountState;
  readonly onRecoveryCode: (code: string, warning: string | null) => void;
}) {
  switch (state.kind) {
    case "signed-in":
      return <SignedInPanel email={state.email} staysSignedIn={state.staysSignedIn} />;
    case "resuming":
      return (
        <p data-testid="account-status" aria-live="polite">
          Signing in as <strong>{state.email}</strong> again… {state.problem}
        </p>
      );
    case "signed-out":
      return (
        <>
          <p role="alert" data-testid="account-status">
            Signed out of {state.email || "your account"}. {state.reason}
          </p>
          <LogInForm key={state.email} email={state.email} />
          <RecoverForm email={state.email} />
          <JoinByLinkForm />
        </>
      );
    case "anonymous":
      return (
        <>
          <p data-testid="account-status">
            You are using ridevault without an account: your rides stay on this device, and sync to
            your other devices by invite (under Sync &amp; devices). An account lets you log in
            anywhere with an email and a password; everything stays end-to-end encrypted.
          </p>
          <LogInForm />
          <RecoverForm />
          <RegisterForm onRecoveryCode={onRecoveryCode} />
          <JoinByLinkForm />
        </>
      );
  }
}
