/**
 * The app shell: opens the vault, runs sync, keeps the account, provides them to the pages,
 * and lays out the header (name, navigation, the always-visible sync status) and the current
 * page, moving focus to the page's heading after each navigation.
 */
import type { Vault } from "@ridevault/core/browser";
import { useEffect, useMemo, useRef, useState } from "react";
import { AccountController } from "./account/account-controller.js";
import { AppContext, type AppServices } from "./app-context.js";
import { RideNotice } from "./components/RideNotice.js";
import { ShareInbox } from "./components/ShareInbox.js";
import { SyncBadge } from "./components/SyncBadge.js";
import { AccountPage } from "./pages/AccountPage.js";
import { BinPage } from "./pages/BinPage.js";
import { DevicesPage } from "./pages/DevicesPage.js";
import { HistoryPage, link } from "./pages/HistoryPage.js";
import { LivePage } from "./pages/LivePage.js";
import { RecordPage } from "./pages/RecordPage.js";
import { WorkoutPage } from "./pages/WorkoutPage.js";
import type { RecorderPort } from "./recording/recorder-port.js";
import { parseRoute, usePath } from "./router.js";
import { type AppSettings, loadSettings, sameOriginRelayUrl, saveSettings } from "./settings.js";
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
  const [account] = useState(
    () =>
      new AccountController({ relayUrl: () => loadSettings().relayUrl ?? sameOriginRelayUrl() }),
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: settings are applied by update()
  useEffect(() => {
    const controller = new SyncController(vault, settings, account);
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
        account,
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
        async signIn(pending) {
          if (settings.localOnly) {
            const next = { ...settings, localOnly: false };
            saveSettings(next);
            setSettings(next);
            sync.update(next);
          }
          const here = await vault.libraryAccess();
          if (here.libraryId === pending.library.libraryId) {
            account.adopt(pending.session, pending.email, pending.shareKeys, pending.vaultKey);
            return null;
          }
          const own = vault.workouts.list({ deleted: true }).length;
          if (own > 0) {
            void pending.session.logout();
            return `This device already has ${own} ${own === 1 ? "ride" : "rides"} of its own, outside this account, so it cannot open the account's vault. Download them (Download all my data), then log in from a fresh browser profile and import the zip there.`;
          }
          const joined = await joinAppVault(vault, pending.library, () => sync.dispose());
          if (!joined.ok) {
            void pending.session.logout();
            return joined.error.message;
          }
          account.adopt(pending.session, pending.email, pending.shareKeys, pending.vaultKey);
          setVault(joined.value);
          return null;
        },
      },
    [vault, sync, settings, props.recorder, account],
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
        <ShareInbox />
        <Page />
      </main>
    </AppContext.Provider>
  );
}

const NAV = [
  { path: "/", label: "Rides" },
  { path: "/record", label: "Record" },
  { path: "/devices", label: "Sync & devices" },
  { path: "/account", label: "Account" },
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
  const path = usePath();
  const route = parseRoute(path);
  useFocusOnNavigation(path);
  switch (route.page) {
    case "history":
      return <HistoryPage />;
    case "record":
      return <RecordPage />;
    case "devices":
      return <DevicesPage />;
    case "account":
      return <AccountPage />;
    case "bin":
      return <BinPage />;
    case "workout":
      return <WorkoutPage key={route.id} id={route.id} />;
    case "live":
      return <LivePage key={route.id} id={route.id} />;
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

/**
 * After a navigation (not the first render), moves focus to the new page's heading, so
 * keyboard and screen-reader users start at the top of what they asked for.
 */
function useFocusOnNavigation(path: string): void {
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per navigation
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>("main h1");
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }, [path]);
}
