/**
 * Whether this browser can reach Bluetooth sensors, and if not, a sentence saying why that
 * the Record screen shows beside the sensor buttons. Web Bluetooth exists in Chrome and Edge
 * on desktop and Android, only on secure pages (https, or localhost); Firefox and Safari do
 * not implement it. `navigator.bluetooth` is checked, never assumed, before use.
 */
import type { WebBluetooth } from "@ridevault/recorder";

/** Web Bluetooth usable (with the API object), or not (with the reason, for the rider). */
export type BluetoothSupport =
  | { readonly available: true; readonly bluetooth: WebBluetooth }
  | { readonly available: false; readonly reason: string };

/** What the check reads: the page's secure-context flag and its `navigator`. */
export interface BluetoothEnvironment {
  readonly isSecureContext: boolean;
  readonly navigator: object;
}

/** Checks for a usable Web Bluetooth (an adapter, when the browser can tell). */
export async function detectBluetooth(env: BluetoothEnvironment): Promise<BluetoothSupport> {
  const bluetooth: unknown = (env.navigator as { bluetooth?: unknown }).bluetooth;
  if (!isWebBluetooth(bluetooth)) {
    if (!env.isSecureContext) {
      return unavailable(
        "Bluetooth sensors need a secure page: open the app over https (or on localhost).",
      );
    }
    return unavailable(
      "This browser has no Web Bluetooth (Firefox and Safari lack it; Chrome on Linux has it only behind a flag). Use Chrome or Edge on Windows, macOS, ChromeOS or Android for Bluetooth sensors; the simulator works everywhere.",
    );
  }
  const getAvailability = (bluetooth as { getAvailability?: unknown }).getAvailability;
  if (typeof getAvailability === "function") {
    const present: unknown = await Promise.resolve(getAvailability.call(bluetooth)).catch(
      () => true,
    );
    if (present === false) {
      return unavailable(
        "No Bluetooth adapter is available (none is present, or it is turned off).",
      );
    }
  }
  return { available: true, bluetooth };
}

function isWebBluetooth(value: unknown): value is WebBluetooth {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { requestDevice?: unknown }).requestDevice === "function"
  );
}

function unavailable(reason: string): BluetoothSupport {
  return { available: false, reason };
}
