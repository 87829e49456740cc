// The offline queue of grid reports: IndexedDB store "outbox", one row per report with its
// Idempotency-Key, so a report is sent until the server has it, and never twice (the server
// replays the first case for a repeated key).
import { api, newKey } from '../shared/api.js';

const DB = 'fengqiao-m';
function open() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore('outbox', { keyPath: 'key' });
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}
async function tx(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction('outbox', mode);
    const st = t.objectStore('outbox');
    let out;
    Promise.resolve(fn(st)).then((v) => (out = v));
    t.oncomplete = () => { db.close(); resolve(out); };
    t.onerror = () => { db.close(); reject(t.error); };
  });
}
const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });

export async function enqueue(body, photo) {
  const item = { key: newKey(), body, photo: photo || null, created: Date.now(), code: null, tries: 0, error: '' };
  await tx('readwrite', (st) => st.put(item));
  return item;
}
export const list = () => tx('readonly', (st) => req(st.getAll()));
const save = (item) => tx('readwrite', (st) => st.put(item));
const remove = (key) => tx('readwrite', (st) => st.delete(key));

let running = null;
/** Sends every queued report; resolves to the number sent. One run at a time. */
export function sync() {
  if (!running) running = doSync().finally(() => { running = null; });
  return running;
}
async function doSync() {
  let sent = 0;
  for (const item of await list()) {
    try {
      if (!item.code) {
        const c = await api('POST', '/cases', item.body, { headers: { 'Idempotency-Key': item.key } });
        item.code = c.code;
        await save(item);
      }
      if (item.photo) {
        await api('POST', `/cases/${item.code}/attachments?name=${encodeURIComponent('photo-' + item.key.slice(0, 8) + '.jpg')}`, item.photo, { type: 'image/jpeg' });
      }
      await remove(item.key);
      sent++;
    } catch (e) {
      item.tries++;
      item.error = e.status ? e.message : '';
      await save(item).catch(() => {});
      if (!e.status || e.status === 401) break; // offline or logged out: try again later
      if (e.status >= 400 && e.status < 500 && e.status !== 409 && e.status !== 429 && !item.code) {
        // the server refuses this report as it is: keep it, visible with its error, but do not block the rest
        continue;
      }
    }
  }
  return sent;
}

/** Shrinks a photo in the browser: longest side ≤ 1280 px, JPEG quality 0.7. */
export async function compress(file, max = 1280, quality = 0.7) {
  const bmp = await createImageBitmap(file);
  const s = Math.min(1, max / Math.max(bmp.width, bmp.height));
  const c = document.createElement('canvas');
  c.width = Math.round(bmp.width * s);
  c.height = Math.round(bmp.height * s);
  c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
  return new Promise((resolve) => c.toBlob(resolve, 'image/jpeg', quality));
}
