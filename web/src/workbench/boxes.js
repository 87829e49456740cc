// The inboxes: each a filter of GET /cases (and of the CSV / Excel export).
const OPEN = 'pending_assess,pending_dispatch,pending_accept,handling,pending_verify';
export const BOXES = {
  assess: { q: { status: 'pending_assess' }, roles: ['dispatcher', 'clerk', 'supervisor', 'leader'] },
  dispatch: { q: { status: 'pending_dispatch' }, roles: ['dispatcher', 'supervisor', 'leader'] },
  accept: { q: { status: 'pending_accept' }, roles: ['handler', 'dispatcher', 'supervisor', 'leader'] },
  handling: { q: { status: 'handling' }, roles: ['handler', 'mediator', 'dispatcher', 'supervisor', 'leader'] },
  verify: { q: { status: 'pending_verify' }, roles: ['dispatcher', 'supervisor', 'leader'] },
  closed: { q: { status: 'closed', unrated: '1' }, roles: ['dispatcher', 'supervisor', 'leader', 'clerk'] },
  duesoon: { q: { light: 'yellow', status: OPEN }, roles: ['dispatcher', 'handler', 'supervisor', 'leader'] },
  overdue: { q: { overdue: '1', status: OPEN }, roles: ['dispatcher', 'handler', 'supervisor', 'leader'] },
  supervised: { q: { status: OPEN, supervised: '1' }, roles: ['dispatcher', 'handler', 'supervisor', 'leader'] },
  mine: { q: { mine: '1' }, roles: ['clerk', 'dispatcher', 'grid_worker'] },
  all: { q: {}, roles: ['clerk', 'dispatcher', 'handler', 'mediator', 'supervisor', 'leader', 'grid_worker'] },
};

export function boxesFor(user) {
  if (!user) return [];
  const admin = user.roles.includes('admin');
  return Object.keys(BOXES).filter((k) => admin || BOXES[k].roles.some((r) => user.roles.includes(r)));
}

// Actions offered on several selected cases of a box, with the roles that may take them
// (docs/API.md's action table); the server still checks each case.
const BULK = {
  dispatch: { dispatch: ['dispatcher'] },
  verify: { verify: ['dispatcher', 'supervisor'], urge: ['dispatcher', 'supervisor', 'leader'] },
  accept: { urge: ['dispatcher', 'supervisor', 'leader'] },
  handling: { urge: ['dispatcher', 'supervisor', 'leader'] },
  duesoon: { urge: ['dispatcher', 'supervisor', 'leader'] },
  overdue: { urge: ['dispatcher', 'supervisor', 'leader'] },
  supervised: { urge: ['dispatcher', 'supervisor', 'leader'] },
};

export function bulkActionsFor(box, user) {
  if (!user || !BULK[box]) return [];
  const admin = user.roles.includes('admin');
  return Object.entries(BULK[box]).filter(([, roles]) => admin || roles.some((r) => user.roles.includes(r))).map(([a]) => a);
}
