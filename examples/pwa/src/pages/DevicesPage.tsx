/**
 * Sync and devices: where this vault syncs (the relay that served the app, another relay, or
 * nowhere), adding another device of the same rider (an invite: a code and a link whose
 * secret part stays in the URL fragment, never sent to a server), joining from this device,
 * and the rider's FTP and threshold heart rate for zones.
 */
import { type FormEvent, useState } from "react";
import { useApp, useLibrary, useSyncStatus } from "../app-context.js";
import { syncLabel } from "../components/SyncBadge.js";
import { formatDateTime } from "../format.js";
import { addDemoRides } from "../recording/demo-rides.js";
import { checkRelayUrl } from "../settings.js";

/** The sync and devices page. */
export function DevicesPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Sync &amp; devices</h1>
      <SyncSettings />
      <AddDevice />
      <JoinVault />
      <RiderSettings />
      <DemoRides />
    </section>
  );
}

function SyncSettings() {
  const { sync, settings, saveSettings } = useApp();
  const status = useSyncStatus();
  const [url, setUrl] = useState(settings.relayUrl ?? "");
  const [message, setMessage] = useState<string | null>(null);
  const save = (event: FormEvent) => {
    event.preventDefault();
    if (url.trim() === "") {
      saveSettings({ ...settings, relayUrl: null });
      setMessage("Syncing with the relay that served this app.");
      return;
    }
    const checked = checkRelayUrl(url);
    if (!checked.ok) {
      setMessage(checked.message);
      return;
    }
    saveSettings({ ...settings, relayUrl: checked.url });
    setMessage(`Syncing with ${checked.url}.`);
  };
  return (
    <section aria-labelledby="sync-title">
      <h2 id="sync-title">Sync</h2>
      <p data-testid="sync-detail">
        {syncLabel(status)}
        {status.kind === "synced" && status.at !== null && ` at ${formatDateTime(status.at)}`}
        {status.kind !== "local-only" && ` — relay ${sync.url}`}
      </p>
      <p>
        Everything is encrypted on this device before it leaves; the relay stores only ciphertext.
      </p>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={settings.localOnly}
          onChange={(event) => saveSettings({ ...settings, localOnly: event.target.checked })}
        />
        Local only: keep my rides on this device and never connect to a relay
      </label>
      <form className="inline-form" onSubmit={save}>
        <label htmlFor="relay-url">Relay URL (empty: the relay that served this app)</label>
        <input
          id="relay-url"
          type="url"
          placeholder="wss://relay.example/sync"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
        />
        <button type="submit">Save relay</button>
        <output aria-live="polite">{message}</output>
      </form>
    </section>
  );
}

function AddDevice() {
  const { vault } = useApp();
  const [invite, setInvite] = useState<string | null>(null);
  const link = invite ? `${window.location.origin}/devices#join=${encodeURIComponent(invite)}` : "";
  return (
    <section aria-labelledby="add-title">
      <h2 id="add-title">Add a device</h2>
      <p>
        An invite lets another device (phone, laptop) become a copy of this vault. It carries the
        vault's keys: treat it like a password and share it only with yourself.
      </p>
      <button type="button" onClick={() => void vault.invite().then(setInvite)}>
        Create invite
      </button>
      {invite && (
        <div className="invite">
          <label htmlFor="invite-code">Invite code</label>
          <textarea id="invite-code" readOnly rows={3} value={invite} />
          <label htmlFor="invite-link">Invite link</label>
          <input id="invite-link" readOnly value={link} />
          <button
            type="button"
            onClick={() => void navigator.clipboard?.writeText(invite).catch(() => undefined)}
          >
            Copy code
          </button>
        </div>
      )}
    </section>
  );
}

function JoinVault() {
  const { join } = useApp();
  const rides = useLibrary({ deleted: true });
  const fromLink = new URLSearchParams(window.location.hash.slice(1)).get("join") ?? "";
  const [invite, setInvite] = useState(fromLink);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const problem = await join(invite);
    setBusy(false);
    if (problem === null && window.location.hash) window.history.replaceState(null, "", "/devices");
    setMessage(problem ?? "Joined: your rides are on their way.");
  };
  return (
    <section aria-labelledby="join-title">
      <h2 id="join-title">Join my other device</h2>
      {rides.length > 0 ? (
        <p>
          This device already has {rides.length} rides of its own, so it cannot join another vault.
          Use a fresh browser profile, or invite the other device to this one instead.
        </p>
      ) : (
        <form className="inline-form" onSubmit={(event) => void submit(event)}>
          <label htmlFor="join-code">Invite code from your other device</label>
          <textarea
            id="join-code"
            rows={3}
            value={invite}
            onChange={(event) => setInvite(event.target.value)}
            required
          />
          <button type="submit" disabled={busy}>
            Join
          </button>
        </form>
      )}
      <output aria-live="polite" data-testid="join-message">
        {message}
      </output>
    </section>
  );
}

function RiderSettings() {
  const { settings, saveSettings } = useApp();
  const number = (value: string): number | null => {
    const parsed = Number(value);
    return value.trim() !== "" && Number.isFinite(parsed) && parsed > 0 ? parsed : null;
  };
  return (
    <section aria-labelledby="rider-title">
      <h2 id="rider-title">Rider</h2>
      <div className="inline-form">
        <label htmlFor="ftp">FTP (W), for power zones</label>
        <input
          id="ftp"
          type="number"
          min={1}
          inputMode="numeric"
          defaultValue={settings.ftp ?? ""}
          onBlur={(event) => saveSettings({ ...settings, ftp: number(event.target.value) })}
        />
        <label htmlFor="lthr">Threshold heart rate (bpm), for heart-rate zones</label>
        <input
          id="lthr"
          type="number"
          min={1}
          inputMode="numeric"
          defaultValue={settings.thresholdHeartRate ?? ""}
          onBlur={(event) =>
            saveSettings({ ...settings, thresholdHeartRate: number(event.target.value) })
          }
        />
      </div>
    </section>
  );
}

function DemoRides() {
  const { vault } = useApp();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const add = async (count: number) => {
    setBusy(true);
    const started = performance.now();
    const added = await addDemoRides(vault, count, (done) =>
      setMessage(`Added ${done} of ${count} demo rides…`),
    );
    setBusy(false);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    setMessage(added.ok ? `Added ${added.value} demo rides in ${seconds} s.` : added.error.message);
  };
  return (
    <section aria-labelledby="demo-title">
      <h2 id="demo-title">Demo data</h2>
      <p>
        Simulated rides, one a day going back from yesterday, tagged "demo", to try the history,
        search and fitness chart. They sync like any ride.
      </p>
      <div className="button-row">
        <button type="button" disabled={busy} onClick={() => void add(30)}>
          Add 30 demo rides
        </button>
        <button type="button" disabled={busy} onClick={() => void add(300)}>
          Add 300 demo rides
        </button>
      </div>
      <output aria-live="polite" data-testid="demo-message">
        {message}
      </output>
    </section>
  );
}
