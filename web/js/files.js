// Files in and out of the page: a session's documents, fetched with the link's
// token as a bearer token (a plain link cannot carry it), for the console and
// the office alike; and text files read as the office saved them.

/** Saves (or, for the minutes, opens to print) one of a session's documents. */
export function download(token, session, path) {
  return save(token, `/sessions/${session}/${path}`, `${session}-${path}`);
}

/** Saves what an address answers (an office's sheets too), or opens it when it is a page. */
export async function save(token, address, filename) {
  const response = await fetch(address, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  if (filename.endsWith('.html')) { open(url, '_blank'); return; }
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A text file as the office saved it: UTF-8, or GBK from Notepad on a Chinese Windows. */
export async function readText(file) {
  const bytes = await file.arrayBuffer();
  try { return new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { return new TextDecoder('gb18030').decode(bytes); }
}
