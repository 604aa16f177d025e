/**
 * Reading a pairing link out of what the rider pasted or opened: the bare
 * `ridevault-pair-1.…` link, or the app's `/account#pair=…` URL (what the Pair a device
 * screen shows as text and as a QR code).
 */

/** The `ridevault-pair-1.…` link in what the rider pasted (the link itself, or the app's URL). */
export function pairingLinkOf(input: string): string {
  const text = input.trim();
  const hash = text.indexOf("#");
  if (hash < 0) return text;
  const fromUrl = new URLSearchParams(text.slice(hash + 1)).get("pair");
  return fromUrl ?? text;
}
