/**
 * The part of the Web Bluetooth API the recorder uses, typed here so the package needs no
 * DOM typings and tests can run in Node against a fake radio. A browser's
 * `navigator.bluetooth` and the devices it returns fit these interfaces. UUIDs are the
 * 16-bit numbers of the assigned services and characteristics (Web Bluetooth accepts them).
 */

/** A 16-bit assigned number (0x180d) or a full UUID string. */
export type BluetoothUuid = number | string;

/** What `requestDevice` is asked for: devices advertising any of the filters' services. */
export interface RequestDeviceOptions {
  readonly filters: readonly { readonly services: readonly BluetoothUuid[] }[];
  readonly optionalServices?: readonly BluetoothUuid[];
}

/** `navigator.bluetooth`. */
export interface WebBluetooth {
  /** Shows the browser's device chooser (needs a user gesture); rejects when cancelled. */
  requestDevice(options: RequestDeviceOptions): Promise<WebBluetoothDevice>;
}

/** A chosen device. */
export interface WebBluetoothDevice {
  readonly id: string;
  readonly name?: string | undefined;
  readonly gatt?: WebBluetoothServer | undefined;
  addEventListener(type: "gattserverdisconnected", listener: () => void): void;
  removeEventListener(type: "gattserverdisconnected", listener: () => void): void;
}

/** The device's GATT server. */
export interface WebBluetoothServer {
  readonly connected: boolean;
  connect(): Promise<WebBluetoothServer>;
  disconnect(): void;
  /** Rejects when the device has no such service. */
  getPrimaryService(service: BluetoothUuid): Promise<WebBluetoothService>;
}

/** A primary service. */
export interface WebBluetoothService {
  /** Rejects when the service has no such characteristic. */
  getCharacteristic(characteristic: BluetoothUuid): Promise<WebBluetoothCharacteristic>;
}

/** A characteristic; `value` holds the last notified or read bytes. */
export interface WebBluetoothCharacteristic {
  readonly value?: DataView | null | undefined;
  /** Enables notifications (or indications, for the FTMS control point). */
  startNotifications(): Promise<unknown>;
  stopNotifications(): Promise<unknown>;
  writeValueWithResponse(value: Uint8Array): Promise<void>;
  addEventListener(type: "characteristicvaluechanged", listener: () => void): void;
  removeEventListener(type: "characteristicvaluechanged", listener: () => void): void;
}
