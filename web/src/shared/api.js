// The JSON API under /api/v1: cookie session (fq_session, HttpOnly) + X-CSRF-Token on writes.
export class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (error && error.code) || 'http_' + status;
    this.field = error && error.field;
  }
}

// An API error as a form shows it: the field it names, then the server's message.
export const errorText = (e) => (e.field ? e.field + ': ' : '') + e.message;

export function cookie(name) {
  const m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
  return m ? decodeURIComponent(m[1]) : '';
}

let unauthorized = null;
/** Called with the ApiError on every 401 (session expired or missing). */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

// The big screen's kiosk link (?kiosk=TOKEN): a read-only token sent with every call.
let kioskToken = '';
export function setKiosk(tok) {
  kioskToken = tok || '';
}
export const kiosk = () => kioskToken;

export async function api(method, path, body, { headers = {}, type, raw = false } = {}) {
  const h = { ...headers };
  if (kioskToken) h.Authorization = 'Kiosk ' + kioskToken;
  let payload;
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    payload = body;
    h['Content-Type'] = type || body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['Content-Type'] = 'application/json';
  }
  if (method !== 'GET') {
    const c = cookie('fq_csrf');
    if (c) h['X-CSRF-Token'] = c;
  }
  const res = await fetch('/api/v1' + path, { method, headers: h, body: payload, credentials: 'same-origin' });
  if (raw && res.ok) return res;
  let j = null;
  try {
    j = await res.json();
  } catch {
    j = null;
  }
  if (!res.ok) {
    const e = new ApiError(res.status, j && j.error);
    if (res.status === 401 && unauthorized && !path.startsWith('/auth/login')) unauthorized(e);
    throw e;
  }
  return j;
}

export const get = (p) => api('GET', p);
export const post = (p, b, o) => api('POST', p, b === undefined ? {} : b, o);
export const put = (p, b) => api('PUT', p, b);
export const del = (p) => api('DELETE', p);

export function qs(o) {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '') s.set(k, v);
  const t = s.toString();
  return t ? '?' + t : '';
}

/** A random idempotency key (visible ASCII, < 80 chars). */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Date YYYY-MM-DD in China Standard Time (the API's day boundaries), offsetDays from today. */
export function today(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(d);
}

export function fmtTime(s) {
  if (!s) return '';
  return s.slice(0, 16).replace('T', ' ');
}

/** Percent text of a 0..1 rate ('—' when null). */
export function pct(x, digits = 1) {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : (100 * x).toFixed(digits) + '%';
}
