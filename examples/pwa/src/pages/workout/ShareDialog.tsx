/**
 * The share dialog of one of the rider's own rides: a link (read-only or read-write, with an
 * expiry) to copy, sharing with a rider by their account's email, and the ride's active
 * shares with Revoke and Revoke all — saying plainly what revoking can and cannot undo.
 */
import type { ShareInfo } from "@ridevault/core/browser";
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { useAccount, useApp } from "../../app-context.js";
import { formatDateTime } from "../../format.js";
import {
  type ExpiryChoice,
  expiryFrom,
  findRider,
  shareMessage,
} from "../../sharing/share-actions.js";

const EXPIRY_LABELS: Record<ExpiryChoice, string> = {
  never: "Never (until revoked)",
  "1d": "In 1 day",
  "7d": "In 7 days",
  "30d": "In 30 days",
  custom: "On a date…",
};

/** The "Share" button of workout `workoutId` and the dialog it opens. */
export function ShareButton({ workoutId }: { readonly workoutId: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() => {
          setOpen(true);
          dialog.current?.showModal();
        }}
      >
        Share…
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="share-title"
        className="share-dialog"
        onClose={() => setOpen(false)}
      >
        {open && <ShareDialogBody workoutId={workoutId} onClose={() => dialog.current?.close()} />}
      </dialog>
    </>
  );
}

function ShareDialogBody(props: { readonly workoutId: string; readonly onClose: () => void }) {
  const { workoutId } = props;
  const { vault, sync } = useApp();
  const [shares, setShares] = useState<ShareInfo[] | null>(null);
  const [listProblem, setListProblem] = useState<string | null>(null);
  const baseUrl = `${window.location.origin}/`;

  const reload = useCallback(async () => {
    try {
      setShares(await vault.shares.list({ workoutId, client: sync.shareClient(), baseUrl }));
      setListProblem(null);
    } catch (error) {
      setListProblem((error as Error).message);
    }
  }, [vault, sync, workoutId, baseUrl]);
  useEffect(() => {
    void reload();
  }, [reload]);

  return (
    <div className="share-body">
      <div className="dialog-head">
        <h2 id="share-title">Share this ride</h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      <CreateLink workoutId={workoutId} baseUrl={baseUrl} onCreated={reload} />
      <ShareWithRider workoutId={workoutId} onCreated={reload} />
      <ShareList shares={shares} workoutId={workoutId} onChanged={reload} />
      {listProblem && <p role="alert">{listProblem}</p>}
    </div>
  );
}

/** Read-only or read-write, and when the share ends: the choices both share forms take. */
function useShareChoices() {
  const [mode, setMode] = useState<"read" | "write">("read");
  const [expiry, setExpiry] = useState<ExpiryChoice>("never");
  const [date, setDate] = useState("");
  const fields = (prefix: string) => (
    <div className="share-choices">
      <fieldset>
        <legend>Access</legend>
        <label className="checkbox">
          <input
            type="radio"
            name={`${prefix}-mode`}
            checked={mode === "read"}
            onChange={() => setMode("read")}
          />
          Read-only
        </label>
        <label className="checkbox">
          <input
            type="radio"
            name={`${prefix}-mode`}
            checked={mode === "write"}
            onChange={() => setMode("write")}
          />
          Read and write (can rename and edit)
        </label>
      </fieldset>
      <label htmlFor={`${prefix}-expiry`}>Expires</label>
      <select
        id={`${prefix}-expiry`}
        value={expiry}
        onChange={(event) => setExpiry(event.target.value as ExpiryChoice)}
      >
        {(Object.keys(EXPIRY_LABELS) as ExpiryChoice[]).map((choice) => (
          <option key={choice} value={choice}>
            {EXPIRY_LABELS[choice]}
          </option>
        ))}
      </select>
      {expiry === "custom" && (
        <>
          <label htmlFor={`${prefix}-date`}>Last day</label>
          <input
            id={`${prefix}-date`}
            type="date"
            value={date}
            onChange={(event) => setDate(event.target.value)}
          />
        </>
      )}
    </div>
  );
  return { mode, expiresAt: () => expiryFrom(expiry, date, Date.now()), fields };
}

function CreateLink(props: {
  readonly workoutId: string;
  readonly baseUrl: string;
  readonly onCreated: () => Promise<void>;
}) {
  const { vault, sync } = useApp();
  const choices = useShareChoices();
  const [link, setLink] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    const expiresAt = choices.expiresAt();
    if (!expiresAt.ok) return setMessage(expiresAt.message);
    setBusy(true);
    setMessage(null);
    const created = await vault.shares.create(sync.shareClient(), {
      workoutIds: [props.workoutId],
      mode: choices.mode,
      expiresAt: expiresAt.value,
      baseUrl: props.baseUrl,
    });
    setBusy(false);
    if (!created.ok) return setMessage(shareMessage(created.error));
    setLink(created.value.link);
    await props.onCreated();
  };
  return (
    <form aria-labelledby="share-link-title" onSubmit={(event) => void create(event)}>
      <h3 id="share-link-title">A link</h3>
      <p className="note">Anyone holding the link can open the ride, no account needed.</p>
      {choices.fields("link")}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Creating…" : "Create link"}
      </button>
      {link && <CopyLink link={link} />}
      {message && <p role="alert">{message}</p>}
    </form>
  );
}

function CopyLink({ link }: { readonly link: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  return (
    <div className="inline-form share-link">
      <label htmlFor="share-link">Share link</label>
      <input id="share-link" readOnly value={link} onFocus={(event) => event.target.select()} />
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard.writeText(link).then(
            () => setCopied("Copied"),
            () => setCopied("Copy did not work here: select the link and copy it by hand."),
          )
        }
      >
        Copy
      </button>
      <output aria-live="polite">{copied}</output>
    </div>
  );
}

function ShareWithRider(props: {
  readonly workoutId: string;
  readonly onCreated: () => Promise<void>;
}) {
  const { vault, sync, account } = useApp();
  const state = useAccount();
  const choices = useShareChoices();
  const [email, setEmail] = useState("");
  const [message, setMessage] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const share = async (event: FormEvent) => {
    event.preventDefault();
    const expiresAt = choices.expiresAt();
    if (!expiresAt.ok) return setMessage({ text: expiresAt.message, ok: false });
    setBusy(true);
    setMessage(null);
    const rider = await findRider(
      {
        relayUrl: sync.url,
        accessToken: await account.accessToken(),
        ownEmail: state.kind === "signed-in" ? state.email : null,
      },
      email,
    );
    const created = rider.ok
      ? await vault.shares.create(sync.shareClient(), {
          workoutIds: [props.workoutId],
          mode: choices.mode,
          expiresAt: expiresAt.value,
          recipient: rider.value,
        })
      : null;
    setBusy(false);
    if (!rider.ok) return setMessage({ text: rider.message, ok: false });
    if (created && !created.ok) return setMessage({ text: shareMessage(created.error), ok: false });
    setMessage({ text: `Shared with ${rider.value.email}.`, ok: true });
    setEmail("");
    await props.onCreated();
  };
  return (
    <form aria-labelledby="share-rider-title" onSubmit={(event) => void share(event)}>
      <h3 id="share-rider-title">With a rider</h3>
      <p className="note">
        They find it under “Shared with me” once they are logged in
        {state.kind === "signed-in" ? "" : " — and so must you be"}.
      </p>
      <label htmlFor="share-email">Their email</label>
      <input
        id="share-email"
        type="email"
        autoComplete="off"
        value={email}
        onChange={(event) => setEmail(event.target.value)}
      />
      {choices.fields("rider")}
      <button type="submit" disabled={busy}>
        {busy ? "Sharing…" : "Share with rider"}
      </button>
      {message && (
        <p role={message.ok ? "status" : "alert"} data-testid="share-rider-result">
          {message.text}
        </p>
      )}
    </form>
  );
}

function ShareList(props: {
  readonly shares: ShareInfo[] | null;
  readonly workoutId: string;
  readonly onChanged: () => Promise<void>;
}) {
  const { vault, sync } = useApp();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { shares } = props;
  const run = async (revoke: () => ReturnType<typeof vault.shares.revokeAll>) => {
    setBusy(true);
    const done = await revoke();
    setBusy(false);
    setMessage(done.ok ? "Revoked. The ride has new keys." : shareMessage(done.error));
    await props.onChanged();
  };
  return (
    <section aria-labelledby="share-list-title">
      <h3 id="share-list-title">Active shares</h3>
      <p className="note" data-testid="revoke-honesty">
        Revoking stops future access and re-keys the ride. Anything already viewed or downloaded
        cannot be taken back.
      </p>
      {shares === null ? (
        <p>Loading…</p>
      ) : shares.length === 0 ? (
        <p data-testid="no-shares">This ride is not shared.</p>
      ) : (
        <>
          <ul className="share-list" data-testid="share-list">
            {shares.map((share) => (
              <li key={share.grantId} className="share-item">
                <span>
                  <strong>{share.recipient ? (share.recipient.email ?? "a rider") : "Link"}</strong>{" "}
                  · {share.mode === "read" ? "read-only" : "read and write"} ·{" "}
                  {share.expiresAt === null
                    ? "no expiry"
                    : `expires ${formatDateTime(share.expiresAt)}`}
                </span>
                <span className="note">
                  created {formatDateTime(share.createdAt)} ·{" "}
                  {share.lastUsedAt === null
                    ? "not used yet"
                    : `last used ${formatDateTime(share.lastUsedAt)}`}
                </span>
                <button
                  type="button"
                  className="danger"
                  disabled={busy}
                  onClick={() =>
                    void run(() => vault.shares.revoke(sync.shareClient(), [share.grantId]))
                  }
                >
                  Revoke
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() =>
              void run(() => vault.shares.revokeAll(sync.shareClient(), props.workoutId))
            }
          >
            Revoke all
          </button>
        </>
      )}
      <output aria-live="polite">{message}</output>
    </section>
  );
}
