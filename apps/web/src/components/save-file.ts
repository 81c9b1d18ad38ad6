/**
 * Hands data to the browser as a file download: an object URL on a link clicked once. The URL is
 * released a minute later, not at once: a browser may start reading it after the click returns.
 */
export function saveFile(name: string, data: Blob | string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(typeof data === 'string' ? new Blob([data], { type }) : data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
