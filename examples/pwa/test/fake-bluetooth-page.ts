/**
 * A fake Web Bluetooth for the browser tests, installed into a page before its scripts run
 * (`page.addInitScript`): `navigator.bluetooth.requestDevice` hands out a heart-rate strap
 * that notifies a fixed rate every 250 ms over the real Heart Rate Measurement bytes, and
 * `window.fakeStrap` lets a test drop its link (`drop()`) and make reconnects fail until
 * `reachable` is true again. The app's Web Bluetooth source drives it like a real device.
 */

/** What the page exposes as `window.fakeStrap`. */
export interface FakeStrapControl {
  drop(): void;
  reachable: boolean;
  connects: number;
}

/** Installs the fake; runs inside the page, so it must be self-contained. */
export function installFakeBluetooth(options: { readonly heartRate: number }): void {
  const listeners = new Map<string, Set<() => void>>();
  const on = (key: string) => {
    let set = listeners.get(key);
    if (!set) {
      set = new Set();
      listeners.set(key, set);
    }
    return set;
  };
  let connected = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const control: FakeStrapControl = { reachable: true, connects: 0, drop: () => undefined };
  const measurement = {
    value: null as DataView | null,
    async startNotifications() {
      return measurement;
    },
    async stopNotifications() {
      return measurement;
    },
    async writeValueWithResponse() {
      throw new Error("not writable");
    },
    addEventListener: (_type: string, listener: () => void) => on("value").add(listener),
    removeEventListener: (_type: string, listener: () => void) => on("value").delete(listener),
  };
  const disconnect = () => {
    if (!connected) return;
    connected = false;
    clearInterval(timer);
    for (const listener of [...on("gattserverdisconnected")]) listener();
  };
  const gatt = {
    get connected() {
      return connected;
    },
    async connect() {
      if (!control.reachable) throw new Error("the strap is out of range");
      connected = true;
      control.connects += 1;
      clearInterval(timer);
      timer = setInterval(() => {
        measurement.value = new DataView(new Uint8Array([0x00, options.heartRate]).buffer);
        for (const listener of [...on("value")]) listener();
      }, 250);
      return gatt;
    },
    disconnect,
    async getPrimaryService(uuid: number | string) {
      if (uuid !== 0x180d) throw new Error("no such service");
      return {
        async getCharacteristic(id: number | string) {
          if (id !== 0x2a37) throw new Error("no such characteristic");
          return measurement;
        },
      };
    },
  };
  const device = {
    id: "fake-strap",
    name: "Fake HR strap",
    gatt,
    addEventListener: (type: string, listener: () => void) => on(type).add(listener),
    removeEventListener: (type: string, listener: () => void) => on(type).delete(listener),
  };
  control.drop = disconnect;
  Object.defineProperty(window, "fakeStrap", { value: control });
  Object.defineProperty(navigator, "bluetooth", {
    configurable: true,
    value: {
      getAvailability: async () => true,
      requestDevice: async () => device,
    },
  });
}
