import type { DownloadedFile } from '../api/types';

/** How long the browser keeps a saved file's object URL: its download has begun by then. */
const RELEASE_AFTER_MS = 60_000;

/** Hands a downloaded file to the browser's own download, under the name the backend gave. */
export function saveFile(file: DownloadedFile): void {
  const url = URL.createObjectURL(file.content);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), RELEASE_AFTER_MS);
}
