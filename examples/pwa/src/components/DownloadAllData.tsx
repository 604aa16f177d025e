/**
 * "Download all my data": the vault's `exportAll` archive — every ride (the bin included) as
 * lossless JSON and as FIT, the library and a README — saved as one zip through the browser's
 * download. It works with or without an account, and offline.
 */
import { useState } from "react";
import { useApp } from "../app-context.js";
import { downloadFile } from "../export/download-export.js";

/** The download button, its progress and its result. */
export function DownloadAllData() {
  const { vault } = useApp();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    setMessage("Packing your rides…");
    try {
      const bytes = await vault.exportAll({
        onProgress: ({ done, total }) =>
          setMessage(total > 0 ? `Packing ride ${Math.min(done + 1, total)} of ${total}…` : null),
      });
      const day = new Date().toISOString().slice(0, 10);
      const file = new File([bytes as Uint8Array<ArrayBuffer>], `ridevault-all-data-${day}.zip`, {
        type: "application/zip",
      });
      downloadFile(file);
      setMessage(`Downloaded ${file.name} (${formatBytes(file.size)}).`);
    } catch (thrown) {
      setMessage(null);
      setError(`The archive could not be made: ${(thrown as Error).message}. Try again.`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="download-all">
      <button type="button" disabled={busy} onClick={() => void download()}>
        Download all my data
      </button>
      <output aria-live="polite" data-testid="download-all-message">
        {message}
      </output>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
