/**
 * JSON with byte arrays, for the test RPC between vitest (Node) and the store test Worker
 * (workerd): a `Uint8Array` travels as `{"$bytes": "<base64>"}`. Runs in both runtimes.
 */

/** Encodes a value whose leaves may be byte arrays. */
export function encodeValue(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item instanceof Uint8Array ? { $bytes: toBase64(item) } : item,
  );
}

/** Decodes what `encodeValue` made. */
export function decodeValue(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (item !== null && typeof item === "object" && "$bytes" in item) {
      const bytes = (item as { $bytes: unknown }).$bytes;
      if (typeof bytes === "string") return fromBase64(bytes);
    }
    return item;
  });
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
