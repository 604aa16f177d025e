/**
 * The app shell: opens the vault, runs sync, provides both to the pages, and lays out the
 * header (name, navigation, the always-visible sync status) and the current page.
 */
import type { Vault } from "@ridevault/core/browser";
import { useEffect, useMemo, useState } from "react";
import { AppContext, type AppServices } from "./app-context.js";
import { RideNotice } from "./components/RideNotice.js";
import { SyncBadge } from "./components/SyncBadge.js";
import { DevicesPage } from "./pages/DevicesPage.js";
import { HistoryPage, link } from "./pages/HistoryPage.js";
import { RecordPage } from "./pages/RecordPage.js";
import { WorkoutPage } from "./pages/WorkoutPage.js";
import type { RecorderPort } from "./recording/recorder-port.js";
import { parseRoute, usePath } from "./router.js";
import { type AppSettings, loadSettings, saveSettings } from "./settings.js";
import { SyncController } from "./sync/sync-controller.js";
import { joinAppVault } from "./vault/open-app-vault.js";

/** Props of `App`: an open vault and the recorder to use. */
export interface AppProps {
  readonly vault: Vault;
  readonly recorder: RecorderPort;
}

/** The whole app over an open vault. */
export function App(props: AppProps) {
  const [vault, setVault] = useState(props.vault);
  const [settings, setSettings] = useState<AppSettings>(() => loadSettings());
  const [sync, setSync] = useState<SyncController | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: settings are applied by update()
  useEffect(() => {
    const controller = new SyncController(vault, settings);
    setSync(controller);
    return () => {
      void controller.dispose();
    };
  }, [vault]);

  const services = useMemo<AppServices | null>(
    () =>
      sync && {
        vault,
        sync,
        settings,
        recorder: props.recorder,
        saveSettings(next) {
          saveSettings(next);
          setSettings(next);
          sync.update(next);
        },
        async join(invite) {
          const joined = await joinAppVault(vault, invite, () => sync.dispose());
          if (!joined.ok) return joined.error.message;
          setVault(joined.value);
          return null;
        },
      },
    [vault, sync, settings, props.recorder],
  );
  if (!services) return <p className="boot">Opening your vault…</p>;
  return (
    <AppContext.Provider value={services}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <a className="brand" href="/" onClick={link("/")}>
          ridevault
        </a>
        <Nav />
        <SyncBadge />
      </header>
      <main id="main" tabIndex={-1}>
        <RideNotice />
        <Page />
      </main>
    </AppContext.Provider>
  );
}

const NAV = [
  { path: "/", label: "Rides" },
  { path: "/record", label: "Record" },
  { path: "/devices", label: "Sync & devices" },
];

function Nav() {
  const path = usePath();
  return (
    <nav aria-label="Main">
      <ul>
        {NAV.map((item) => (
          <li key={item.path}>
            <a
              href={item.path}
              onClick={link(item.path)}
              aria-current={path === item.path ? "page" : undefined}
            >
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Page() {
  const route = parseRoute(usePath());
  switch (route.page) {
    case "history":
      return <HistoryPage />;
    case "record":
      return <RecordPage />;
    case "devices":
      return <DevicesPage />;
    case "workout":
      return <WorkoutPage key={route.id} id={route.id} />;
    case "not-found":
      return (
        <section>
          <h1>Not found</h1>
          <p>
            Nothing at {route.path}.{" "}
            <a href="/" onClick={link("/")}>
              Back to your rides
            </a>
            .
          </p>
        </section>
      );
  }
}
