/**
 * Gives the recorder's kept session the write token of a resumed attempt.
 *
 * Resuming an attempt (a reload) answers a new write token, and the one handed out before writes no
 * more. The recorder continues its chain from what it kept in the browser (IndexedDB database
 * `veritas-recorder`, store `sessions`, by storage key), token included, and `attach` does not yet
 * replace a kept token with the host's `session.writeToken`. Until it does, the page puts the new
 * token into the kept state before attaching; nothing else of it is touched, and a browser that
 * kept nothing (or another session under the key) is left as it is.
 *
 * Batches sealed with the old token and not yet acknowledged still carry the old token's MAC; a
 * reload after everything was saved (the status says so) loses nothing.
 */
export async function handTokenToKeptSession(storageKey: string, sessionId: string, writeToken: string): Promise<boolean> {
  if (typeof indexedDB === 'undefined') return false;
  const db = await new Promise<IDBDatabase | null>((resolve) => {
    const req = indexedDB.open('veritas-recorder', 1);
    // No database yet: nothing is kept. Abort, so the recorder still creates it as it means to.
    req.onupgradeneeded = () => req.transaction?.abort();
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
  });
  if (!db) return false;
  try {
    const tx = db.transaction('sessions', 'readwrite');
    const store = tx.objectStore('sessions');
    const kept = await new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
      const get = store.get(storageKey);
      get.onsuccess = () => resolve(get.result as Record<string, unknown> | undefined);
      get.onerror = () => reject(get.error);
    });
    if (!kept || kept.id !== sessionId) return false;
    store.put({ ...kept, writeToken });
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
}
