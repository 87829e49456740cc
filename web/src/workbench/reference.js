// Helpers of the read-only administration pages over the reference data (divisions, departments,
// categories, responsibility list): lazy division loading and the filter box's match.
import { ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { get, qs } from '../shared/api.js';

/** Children of a division (the roots when code is empty), as tree/cascader nodes. */
export async function divisionChildren(code) {
  const items = (await get('/divisions' + qs({ parent: code || undefined }))).items;
  return items.map((d) => ({ ...d, value: d.code, label: d.name, leaf: d.level === 'village' }));
}

/** Lazy props for el-tree and el-cascader over GET /divisions?parent=. */
export const lazyDivisions = {
  lazy: true,
  isLeaf: 'leaf',
  leaf: 'leaf',
  checkStrictly: true,
  emitPath: false,
  lazyLoad(node, resolve) {
    divisionChildren(node.level === 0 ? '' : node.data.code).then(resolve, () => resolve([]));
  },
};

/** Does any of the strings contain the filter text q (case-insensitive; empty q matches all)? */
export function matches(q, ...fields) {
  const s = (q || '').trim().toLowerCase();
  return !s || fields.some((f) => f != null && String(f).toLowerCase().includes(s));
}

/** Flat items with code and parent → a tree (children arrays) keeping the items that match q,
 * with their ancestors, and every descendant of a match. */
export function buildTree(items, q, match) {
  const byCode = new Map(items.map((c) => [c.code, { ...c, children: [] }]));
  const roots = [];
  for (const c of byCode.values()) (c.parent && byCode.has(c.parent) ? byCode.get(c.parent).children : roots).push(c);
  const prune = (nodes, parentHit) =>
    nodes.filter((n) => {
      const hit = parentHit || match(q, n);
      n.children = prune(n.children, hit);
      return hit || n.children.length > 0;
    });
  const out = prune(roots, !(q || '').trim());
  const strip = (nodes) => nodes.forEach((n) => { if (!n.children.length) delete n.children; else strip(n.children); });
  strip(out);
  return out;
}

/** The state of a filtered reference list page: t, the filter text q, the items, the error shown,
 * and kindLabel (a department kind in words; unknown kinds as they are). */
export function useReferenceList() {
  const { t, te } = useI18n();
  const kindLabel = (k) => (te('dk.' + k) ? t('dk.' + k) : k);
  return { t, q: ref(''), items: ref([]), err: ref(''), kindLabel };
}
