/**
 * The pairing link as a QR code, so a phone can scan it off a laptop's screen instead of
 * the rider copying the link across. Encoded by `uqr` (error correction M, the standard
 * four-module quiet zone) and drawn as one SVG path, one unit square per dark module, dark
 * on white whatever the page's colours (scanners need the contrast).
 */
import { useMemo } from "react";
import { encode } from "uqr";

/** The accessible name of the pairing QR code. */
export const PAIRING_QR_LABEL = "QR code of the pairing link";

/** How the pairing link is encoded (tests decode the SVG against the same settings). */
export const PAIRING_QR_OPTIONS = { ecc: "M", border: 4 } as const;

/** The QR code of `url`. */
export function PairingQrCode({ url }: { readonly url: string }) {
  const { size, path } = useMemo(() => qrCodePath(url), [url]);
  const pixels = Math.max(size * 4, 200);
  return (
    // A line of its own in the pairing box (a wrapping flex row).
    <div className="qr-code" style={{ flexBasis: "100%" }}>
      <svg
        role="img"
        aria-label={PAIRING_QR_LABEL}
        viewBox={`0 0 ${size} ${size}`}
        width={pixels}
        height={pixels}
        shapeRendering="crispEdges"
      >
        <rect width={size} height={size} fill="#fff" />
        <path d={path} fill="#000" />
      </svg>
    </div>
  );
}

/** The QR code of `text` as an SVG path of unit squares, and its size in modules. */
export function qrCodePath(text: string): { readonly size: number; readonly path: string } {
  const { size, data } = encode(text, PAIRING_QR_OPTIONS);
  const parts: string[] = [];
  for (const [y, row] of data.entries()) {
    for (const [x, dark] of row.entries()) if (dark) parts.push(`M${x} ${y}h1v1h-1z`);
  }
  return { size, path: parts.join("") };
}
