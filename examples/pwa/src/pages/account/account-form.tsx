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
  readonly hint?: string;
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
