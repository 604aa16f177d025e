/**
 * The pieces every account form shares: an action runner that tracks "working…" and the
 * error sentence, the error line itself (`role="alert"`, so it is read out at once), and a
 * labelled field. Account actions stretch the password with Argon2id on the device, which
 * takes a few seconds on a phone, so forms say so while they work.
 */
import { type ReactNode, useState } from "react";

/** What `useAction` gives a form. */
export interface Action {
  readonly busy: boolean;
  readonly error: string | null;
  /** Runs `action` (which resolves to an error sentence or null) unless one is running. */
  run(action: () => Promise<string | null>): Promise<void>;
}

/** Runs one action at a time and keeps its error sentence. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return {
    busy,
    error,
    async run(action) {
      if (busy) return;
      setBusy(true);
      setError(null);
      try {
        setError(await action());
      } catch (thrown) {
        setError(`Something went wrong: ${(thrown as Error).message}. Try again.`);
      } finally {
        setBusy(false);
      }
    },
  };
}

/** The error sentence of a form, announced as it appears. */
export function ErrorLine({ error }: { readonly error: string | null }) {
  return error ? (
    <p role="alert" className="error">
      {error}
    </p>
  ) : null;
}

/** "Working…" while busy: why the wait. */
export function Working({
  busy,
  children,
}: {
  readonly busy: boolean;
  readonly children?: ReactNode;
}) {
  return busy ? (
    <p className="note" aria-live="polite">
      {children ?? "Working… your password is stretched on this device, which takes a few seconds."}
    </p>
  ) : null;
}

/** Props of `Field`. */
export interface FieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly type?: "email" | "password" | "text";
  readonly autoComplete?: string;
  readonly hint?: string | undefined;
}

/** A labelled, required input. */
export function Field(props: FieldProps) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? "text"}
        required
        value={props.value}
        autoComplete={props.autoComplete}
        aria-describedby={hintId}
        onChange={(event) => props.onChange(event.target.value)}
      />
      {props.hint && (
        <span id={hintId} className="note">
          {props.hint}
        </span>
      )}
    </div>
  );
}

/** Props of `EmailField`. */
export interface EmailFieldProps {
  readonly id: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
}

/** The account's email. */
export function EmailField(props: EmailFieldProps) {
  return <Field {...props} label="Email" type="email" autoComplete="email" />;
}

/** Props of `CurrentPasswordField`. */
export interface CurrentPasswordFieldProps extends EmailFieldProps {
  readonly label: string;
}

/** The password the rider has now (filled by password managers as the current one). */
export function CurrentPasswordField(props: CurrentPasswordFieldProps) {
  return <Field {...props} type="password" autoComplete="current-password" />;
}

/** Props of `NewPasswordFields`. */
export interface NewPasswordFieldsProps {
  /** The ids of the two inputs. */
  readonly ids: readonly [string, string];
  /** The first input's label; the second's adds " again". */
  readonly label: string;
  readonly hint?: string;
  readonly password: string;
  readonly again: string;
  readonly onPassword: (value: string) => void;
  readonly onAgain: (value: string) => void;
}

/** A new password typed twice (the form checks them with `checkNewPassword`). */
export function NewPasswordFields(props: NewPasswordFieldsProps) {
  return (
    <>
      <Field
        id={props.ids[0]}
        label={props.label}
        type="password"
        autoComplete="new-password"
        hint={props.hint}
        value={props.password}
        onChange={props.onPassword}
      />
      <Field
        id={props.ids[1]}
        label={`${props.label} again`}
        type="password"
        autoComplete="new-password"
        value={props.again}
        onChange={props.onAgain}
      />
    </>
  );
}

/** Props of `SubmitButton`. */
export interface SubmitButtonProps {
  readonly action: Action;
  /** `primary` or `danger`; a plain button without. */
  readonly className?: string;
  /** What to say while the action runs, instead of the password-stretching note. */
  readonly working?: ReactNode;
  readonly children: ReactNode;
}

/** A form's submit button (disabled while its action runs), "Working…", and the error line. */
export function SubmitButton(props: SubmitButtonProps) {
  return (
    <>
      <button type="submit" className={props.className} disabled={props.action.busy}>
        {props.children}
      </button>
      <Working busy={props.action.busy}>{props.working}</Working>
      <ErrorLine error={props.action.error} />
    </>
  );
}
