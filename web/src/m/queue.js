// The offline queue of grid reports: IndexedDB store "outbox", one row per report with its
// Idempotency-Key, so a report is sent until the server has it, and never twice (the server
// replays the first case for a repeated key).
//
// Task results (回访 follow-ups with 满意/不满意) go through the same queue as a case action. The
// action API has no idempotency key, so an item remembers that it was sent once (sentAt): before
// sending it again (the answer may have been lost with the connection), the case's records are
// checked for that very follow-up by this user, and it is not sent twice.
import { api, get, newKey } from '../shared/api.js';

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

/** Queues a report (body of POST /cases, optional photo), or with action = {code, action, label,
 * user} an action on an existing case (body of POST /cases/:code/actions/:action). */
export async function enqueue(body, photo, action) {
  const item = { key: newKey(), body, photo: photo || null, created: Date.now(), code: null, tries: 0, error: '' };
  if (action) Object.assign(item, { code: action.code, action: action.action, label: action.label, user: action.user, sentAt: 0 });
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
      if (item.action) {
        await sendAction(item);
        await remove(item.key);
        sent++;
        continue;
      }
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

// whether a follow-up sent earlier reached the server (the same user, method and content)
async function arrived(item) {
  const c = await get('/cases/' + item.code);
  return (c.records || []).some((r) => r.kind === item.action && r.user_id === item.user && r.content === item.body.content && r.method === item.body.method);
}
async function sendAction(item) {
  if (item.sentAt && (await arrived(item))) return;
  item.sentAt = Date.now();
  await save(item);
  await api('POST', `/cases/${item.code}/actions/${item.action}`, item.body);
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
