import { reactive } from 'vue';
import { get } from '../shared/api.js';

export const session = reactive({ user: null, checked: false });

export async function loadMe() {
  try {
    session.user = await get('/auth/me');
  } catch {
    session.user = null;
  }
  session.checked = true;
  return session.user;
}

export const hasRole = (...roles) => !!session.user && session.user.roles.some((r) => r === 'admin' || roles.includes(r));

// reference data, loaded once
const cache = {};
export function ref_(path) {
  if (!cache[path]) cache[path] = get(path).then((j) => j.items).catch((e) => { delete cache[path]; throw e; });
  return cache[path];
}

export async function departmentsById() {
  const items = await ref_('/departments');
  const m = {};
  for (const d of items) m[d.id] = d;
  return m;
}

/** active categories as a tree for el-cascader: [{value, label, children}] */
export async function categoryTree(kind) {
  const items = (await ref_('/categories')).filter((c) => (!kind || c.kind === kind) && c.active !== false);
  const nodes = {};
  const roots = [];
  for (const c of items) nodes[c.code] = { value: c.code, label: `${c.name}`, kind: c.kind };
  for (const c of items) {
    const n = nodes[c.code];
    if (c.parent && nodes[c.parent]) (nodes[c.parent].children ||= []).push(n);
    else roots.push(n);
  }
  return roots;
}

export async function categoryName(code) {
  if (!code) return '';
  const c = (await ref_('/categories')).find((x) => x.code === code);
  return c ? c.name : code;
}
