// The form of each case action (docs/API.md action table): fields, their types and which are required.
export const ACTION_FORMS = {
  assess: [['category', 'category', 1], ['grade', 'grade', 1], ['level', 'level', 1], ['note', 'textarea']],
  resolve_on_spot: [['result', 'textarea', 1], ['method', 'method', 1]],
  dispatch: [['lead', 'dept', 1], ['assist', 'depts'], ['deadline', 'datetime'], ['note', 'textarea']],
  accept: [['department_id', 'assigned_dept'], ['note', 'textarea']],
  return: [['department_id', 'assigned_dept'], ['reason', 'textarea', 1]],
  escalate: [['reason', 'textarea', 1]],
  urge: [['message', 'textarea']],
  supervise: [['reason', 'textarea', 1], ['deadline', 'datetime']],
  note: [['text', 'textarea', 1]],
  mediation: [['content', 'textarea', 1], ['session', 'number'], ['participants', 'text'], ['agreement', 'textarea'], ['judicial_status', 'judicial'], ['mediator', 'text'], ['studio', 'text']],
  resolve: [['result', 'textarea', 1], ['method', 'method', 1], ['success', 'switch']],
  verify: [['note', 'textarea']],
  reject: [['reason', 'textarea', 1]],
  rate: [['score', 'score', 1], ['comment', 'textarea']],
  follow_up: [['method', 'fu_method', 1], ['content', 'textarea', 1], ['satisfaction', 'sat']],
  reopen: [['reason', 'textarea', 1]],
  archive: [['note', 'textarea']],
};

// primary = the forward step, shown as the main button
export const PRIMARY = ['assess', 'dispatch', 'accept', 'resolve', 'verify', 'archive'];
export const DANGER = ['return', 'reject', 'escalate', 'supervise', 'reopen'];
