/**
 * A small path router over the History API: the app's pages are `/` (history), `/bin`
 * (deleted rides), `/record`, `/workouts/<id>`, `/live/<id>` (watching a shared ride live),
 * `/devices` and `/account`. The relay answers every such path with `index.html`, and
 * the service worker does the same offline, so links can be shared and reloaded.
 */
import { useSyncExternalStore } from "react";

/** A page of the app. */
export type Route =
  | { readonly page: "history" }
  | { readonly page: "record" }
  | { readonly page: "devices" }
  | { readonly page: "account" }
  | { readonly page: "bin" }
  | { readonly page: "workout"; readonly id: string }
  | { readonly page: "live"; readonly id: string }
  | { readonly page: "not-found"; readonly path: string };

/** The route of a path. */
export function parseRoute(path: string): Route {
  if (path === "/" || path === "") return { page: "history" };
  if (path === "/record") return { page: "record" };
  if (path === "/devices") return { page: "devices" };
  if (path === "/account") return { page: "account" };
  if (path === "/bin") return { page: "bin" };
  const workout = /^\/workouts\/([A-Za-z0-9_-]+)$/.exec(path);
  if (workout?.[1]) return { page: "workout", id: workout[1] };
  const live = /^\/live\/([A-Za-z0-9_-]+)$/.exec(path);
  if (live?.[1]) return { page: "live", id: live[1] };
  return { page: "not-found", path };
}

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

/** Goes to `path` (keeping the query, which carries demo options such as `?speed=`). */
export function navigate(path: string): void {
  if (path === window.location.pathname) return;
  window.history.pushState(null, "", `${path}${window.location.search}`);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

/** The current path, re-rendering on navigation. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** A click handler that navigates in the app (keeping the link a real link). */
export function link(path: string) {
  return (event: { preventDefault(): void; metaKey: boolean; ctrlKey: boolean }) => {
    if (event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    navigate(path);
  };
}
