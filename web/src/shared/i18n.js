// Chinese first, English switchable; the choice is kept in localStorage (fq_lang).
import { createI18n } from 'vue-i18n';

const zh = {
  app: { name: '枫桥', full: '枫桥 · 社会治理综合信息平台', lang: 'English', logout: '退出登录' },
  status: { pending_assess: '待研判', pending_dispatch: '待派单', pending_accept: '待接单', handling: '办理中', pending_verify: '待核单', closed: '已办结', archived: '已归档' },
  channel: { window: '窗口受理', grid: '网格上报', hotline_12345: '12345热线', police_110: '110联动', portal: '网上诉求', letters_visits: '信访', api: '平台对接' },
  kind: { request: '诉求', incident: '事件', dispute: '矛盾纠纷' },
  grade: { simple: '简易', ordinary: '普通', complex: '复杂', difficult: '疑难' },
  level: { city: '市', county: '县（区）', township: '乡镇（街道）', village: '村（社区）' },
  light: { green: '正常', yellow: '临期', red: '超期' },
  as: { pending: '待接单', accepted: '已接单', returned: '已退单', resolved: '已办结', cancelled: '已撤销' },
  role: { applicant: '申请人', respondent: '被申请人', other: '其他' },
  roles: { admin: '管理员', clerk: '受理员', dispatcher: '调度员', handler: '承办人', mediator: '调解员', grid_worker: '网格员', supervisor: '督办员', leader: '领导' },
  sat: { satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意' },
  action: {
    intake: '受理', assess: '研判', resolve_on_spot: '当场办结', dispatch: '派单', accept: '接单', return: '退单', escalate: '上报',
    urge: '催办', supervise: '督办', note: '备注', mediation: '调解记录', resolve: '办结', verify: '核单', reject: '退回重办',
    rate: '评价', follow_up: '回访', reopen: '重办', archive: '归档', attach: '上传附件', warn: '临期预警', overdue: '超期', link: '关联',
  },
  nav: { home: '首页', intake: '一表通受理', inboxes: '案件办理', admin: '系统管理', users: '用户管理', calendar: '节假日日历', sla: '时限规则' },
  box: { assess: '待研判', dispatch: '待派单', accept: '待接单', handling: '办理中', verify: '待核单', closed: '已办结 待评价', duesoon: '即将超期', overdue: '已超期', supervised: '督办', all: '全部案件', today: '今日受理' },
  login: {
    title: '工作台登录', username: '用户名', password: '密码', submit: '登录',
    bad_credentials: '用户名或密码错误', locked: '连续输错次数过多，账号已锁定 5 分钟，请稍后再试', session_expired: '会话已超时（30 分钟无操作），请重新登录',
    rate_limited: '登录过于频繁，请稍后再试', required: '请输入用户名和密码',
  },
  home: { welcome: '欢迎，{name}', counts: '待办概览', shortcuts: '快捷入口', screen: '指挥大屏' },
  f: {
    channel: '受理渠道', kind: '类型', title: '标题', description: '事项描述', division: '所属区划', grid: '网格', address: '地址', people: '涉及人数',
    category: '事项类别', parties: '当事人', party_role: '身份', name: '姓名', id_number: '身份证号', phone: '手机号', add_party: '添加当事人',
    contact_phone: '联系电话', on_spot: '当场办结', result: '办理结果', method: '化解方式', submit: '提交受理', reset: '重置', remove: '删除',
    grade: '等级', level: '办理层级', note: '备注', lead: '主办部门', assist: '协办部门', deadline: '办理期限', reason: '原因', message: '催办内容',
    text: '内容', content: '调解内容', session: '第几次调解', participants: '参加人员', agreement: '调解协议', judicial_status: '司法确认', mediator: '调解员', studio: '调解室',
    success: '化解成功', score: '评分（0-100）', comment: '评价意见', fu_method: '回访方式', satisfaction: '满意度', file: '文件', department: '部门',
    id_bad: '身份证号校验不通过（GB 11643）', dup_title: '疑似重复或重复信访：该当事人已有案件', cat_suggest: '建议类别', use: '采用', attachments: '附件', drop: '拖入照片或 PDF，或点击选择（保存时上传）', phone_bad: '手机号格式不正确', required: '必填', suggested: '按权责清单推荐',
  },
  list: { code: '案件编码', title: '标题', channel: '渠道', status: '状态', light: '时限', created: '受理时间', due: '办理期限', more: '加载更多', total: '共 {n} 件', empty: '暂无案件', supervised: '督办', refresh: '刷新' },
  d: {
    deadline: '办理期限', days_left: '剩余 {n} 个工作日', overdue_by: '已超期 {n} 个工作日', parties: '当事人', reveal: '查看', timeline: '办理过程', actions: '可办操作', assignments: '派单部门',
    records: '记录', attachments: '附件', info: '基本信息', none: '无', not_found: '案件不存在或不在您的权限范围内', back: '返回', done: '操作成功', supervision: '督办单', urged: '催办 {n} 次',
    lead: '主办', assist: '协办', result: '办理结果', created: '受理时间', category: '类别',
  },
  intake_ok: '受理成功，案件编码 {code}',
  admin: { add_user: '新增用户', username: '用户名', display_name: '姓名', roles: '角色', division: '区划代码', department: '部门编号', password: '初始密码', save: '保存', date: '日期', kind: '类型', off: '放假', work: '调休上班', name: '名称', unit: '单位', amount: '时限', warn: '预警比例', response: '响应时限（小时）', any: '任意' },
  common: { ok: '确定', cancel: '取消', loading: '加载中…', confirm: '确认', yes: '是', no: '否' },
};

const en = {
  app: { name: 'Fengqiao', full: 'Fengqiao · Social Governance Platform', lang: '中文', logout: 'Log out' },
  status: { pending_assess: 'To assess', pending_dispatch: 'To dispatch', pending_accept: 'To accept', handling: 'Handling', pending_verify: 'To verify', closed: 'Closed', archived: 'Archived' },
  channel: { window: 'Window', grid: 'Grid', hotline_12345: '12345 hotline', police_110: '110 police', portal: 'Portal', letters_visits: 'Letters & visits', api: 'API' },
  kind: { request: 'Request', incident: 'Incident', dispute: 'Dispute' },
  grade: { simple: 'Simple', ordinary: 'Ordinary', complex: 'Complex', difficult: 'Difficult' },
  level: { city: 'City', county: 'County', township: 'Township', village: 'Village' },
  light: { green: 'On time', yellow: 'Due soon', red: 'Overdue' },
  as: { pending: 'To accept', accepted: 'Accepted', returned: 'Returned', resolved: 'Resolved', cancelled: 'Cancelled' },
  role: { applicant: 'Applicant', respondent: 'Respondent', other: 'Other' },
  roles: { admin: 'Admin', clerk: 'Clerk', dispatcher: 'Dispatcher', handler: 'Handler', mediator: 'Mediator', grid_worker: 'Grid worker', supervisor: 'Supervisor', leader: 'Leader' },
  sat: { satisfied: 'Satisfied', basically_satisfied: 'Basically satisfied', dissatisfied: 'Dissatisfied' },
  action: {
    intake: 'Intake', assess: 'Assess', resolve_on_spot: 'Resolve on the spot', dispatch: 'Dispatch', accept: 'Accept', return: 'Return', escalate: 'Escalate',
    urge: 'Urge', supervise: 'Supervise', note: 'Note', mediation: 'Mediation record', resolve: 'Resolve', verify: 'Verify', reject: 'Reject',
    rate: 'Rate', follow_up: 'Follow-up', reopen: 'Reopen', archive: 'Archive', attach: 'Attach file', warn: 'Due-soon warning', overdue: 'Overdue', link: 'Link',
  },
  nav: { home: 'Home', intake: 'Intake', inboxes: 'Cases', admin: 'Administration', users: 'Users', calendar: 'Holiday calendar', sla: 'SLA policy' },
  box: { assess: 'To assess', dispatch: 'To dispatch', accept: 'To accept', handling: 'Handling', verify: 'To verify', closed: 'Closed, to rate', duesoon: 'Due soon', overdue: 'Overdue', supervised: 'Supervised', all: 'All cases', today: 'Today\'s intake' },
  login: {
    title: 'Workbench login', username: 'Username', password: 'Password', submit: 'Log in',
    bad_credentials: 'Wrong username or password', locked: 'Too many failed attempts: the account is locked for 5 minutes', session_expired: 'Your session timed out (30 minutes idle); please log in again',
    rate_limited: 'Too many logins, try again later', required: 'Enter username and password',
  },
  home: { welcome: 'Welcome, {name}', counts: 'Work at a glance', shortcuts: 'Shortcuts', screen: 'Big screen' },
  f: {
    channel: 'Channel', kind: 'Kind', title: 'Title', description: 'Description', division: 'Division', grid: 'Grid', address: 'Address', people: 'People involved',
    category: 'Category', parties: 'Parties', party_role: 'Role', name: 'Name', id_number: 'Resident ID', phone: 'Mobile', add_party: 'Add party',
    contact_phone: 'Contact phone', on_spot: 'Resolve on the spot', result: 'Result', method: 'Resolution method', submit: 'Register', reset: 'Reset', remove: 'Remove',
    grade: 'Grade', level: 'Handling level', note: 'Note', lead: 'Lead department', assist: 'Assisting departments', deadline: 'Deadline', reason: 'Reason', message: 'Message',
    text: 'Text', content: 'Content', session: 'Session no.', participants: 'Participants', agreement: 'Agreement', judicial_status: 'Judicial confirmation', mediator: 'Mediator', studio: 'Studio',
    success: 'Settled', score: 'Score (0-100)', comment: 'Comment', fu_method: 'Method', satisfaction: 'Satisfaction', file: 'File', department: 'Department',
    id_bad: 'Resident ID check failed (GB 11643)', dup_title: 'Possible duplicate or repeat petition: this party has earlier cases', cat_suggest: 'Suggested category', use: 'Use', attachments: 'Attachments', drop: 'Drop photos or PDFs here, or click (uploaded on save)', phone_bad: 'Not a valid mobile number', required: 'Required', suggested: 'Suggested by the responsibility list',
  },
  list: { code: 'Case code', title: 'Title', channel: 'Channel', status: 'Status', light: 'Light', created: 'Registered', due: 'Due', more: 'Load more', total: '{n} cases', empty: 'No cases', supervised: 'Supervised', refresh: 'Refresh' },
  d: {
    deadline: 'Deadline', days_left: '{n} working days left', overdue_by: 'Overdue by {n} working days', parties: 'Parties', reveal: 'Reveal', timeline: 'Timeline', actions: 'Actions', assignments: 'Assignments',
    records: 'Records', attachments: 'Attachments', info: 'Details', none: 'None', not_found: 'No such case, or it is outside your scope', back: 'Back', done: 'Done', supervision: 'Supervision order', urged: 'urged {n}×',
    lead: 'Lead', assist: 'Assisting', result: 'Result', created: 'Registered', category: 'Category',
  },
  intake_ok: 'Registered: case code {code}',
  admin: { add_user: 'Add user', username: 'Username', display_name: 'Name', roles: 'Roles', division: 'Division code', department: 'Department id', password: 'Initial password', save: 'Save', date: 'Date', kind: 'Kind', off: 'Holiday', work: 'Make-up workday', name: 'Name', unit: 'Unit', amount: 'Limit', warn: 'Warn fraction', response: 'Response (hours)', any: 'any' },
  common: { ok: 'OK', cancel: 'Cancel', loading: 'Loading…', confirm: 'Confirm', yes: 'Yes', no: 'No' },
};

export const messages = { zh, en };

export function makeI18n(extra = {}) {
  const locale = localStorage.getItem('fq_lang') || 'zh';
  const msgs = { zh: { ...zh, ...(extra.zh || {}) }, en: { ...en, ...(extra.en || {}) } };
  return createI18n({ legacy: false, locale, fallbackLocale: 'zh', messages: msgs });
}

export function toggleLang(i18n) {
  const next = i18n.global.locale.value === 'zh' ? 'en' : 'zh';
  i18n.global.locale.value = next;
  localStorage.setItem('fq_lang', next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}
