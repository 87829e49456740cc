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
