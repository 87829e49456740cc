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
  nav: { home: '首页', intake: '一表通受理', search: '全文检索', stats: '统计分析', warnings: '风险预警', kiosk: '大屏链接', scenarios: '调解场景库', inboxes: '案件办理', admin: '系统管理', users: '用户管理', calendar: '节假日日历', sla: '时限规则', divisions: '区划与网格', departments: '部门', categories: '事项分类', responsibilities: '职责清单' },
  box: { assess: '待研判', dispatch: '待派单', accept: '待接单', handling: '办理中', verify: '待核单', closed: '已办结 待评价', duesoon: '即将超期', overdue: '已超期', supervised: '督办', mine: '我登记的', all: '全部案件', today: '今日受理' },
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
  sg: { confidence: '置信度', title: '智能分办建议', model: '模型已学习 {n} 件', keywords: '命中关键词', model_p: '模型', kw_p: '规则', similar: '相似案件', duty: '权责清单', more: '更多建议', less: '收起', used: '已采用：{c}' },
  rc: { title: '推荐调解场景', by_suggest: '类别按智能建议', why: '推荐理由', similarity: '相似度', methods: '调解方法', legal: '法律依据', steps: '工作步骤', mediators: '适宜调解员/调解室', documents: '需准备材料', apply: '采用此方案', applied: '已采用', applied_ok: '已记录采用', similar: '相似已办案件', settled: '化解成功', unsettled: '未化解' },
  dup: { title: '重复与疑似重复', repeat: '重复信访', none: '未发现疑似重复件', score: '相似度', earlier: '较早登记', later: '较晚登记', merged: '已合并', merge: '合并重复件', merge_into: '并入 …{code}', merge_confirm: '将本案 {code} 作为重复件并入 {into}？本案将归档，两条办理过程都保留。', merged_ok: '已合并', links: '关联' },
  search: { title: '全文检索', q: '输入关键词，空格分隔多个词', go: '检索', total: '命中 {n} 件', total_more: '最近的 {n}+ 件', older: '检索更早的案件', status: '状态', channel: '渠道', from: '起始日期', to: '截止日期', empty: '没有匹配的案件', score: '相关度' },
  export: { csv: '导出 CSV', xlsx: '导出 Excel' },
  sc: { title: '调解场景库', q: '名称或关键词', new: '新增场景', edit: '编辑', code: '编号', name: '场景名称', categories: '适用类别（代码）', keywords: '关键词', legal_basis: '法律依据', methods: '调解方法', steps: '工作步骤', mediators: '调解员/调解室', documents: '需准备材料', one_per_line: '每行一项' },
  view: { save: '保存为视图', name: '视图名称' },
  st: { title: '统计分析', from: '开始', to: '结束', group_by: '分组', by: { division: '按区划', department: '按部门', category1: '按一级类别', category: '按二级类别', channel: '按渠道', grade: '按等级', day: '按日', week: '按周', month: '按月', quarter: '按季度', year: '按年' },
    intake: '受理量', closed: '办结量', open: '在办', closure_rate: '办结率', settlement_rate: '化解率', on_time_rate: '按期办结率', overdue_rate: '超期率', response_rate: '响应率', satisfaction_rate: '满意率', follow_up_rate: '回访率', avg_handling_hours: '平均办理时长（工作小时）', repeat_rate: '重复信访率', return_rate: '退单率', supervisions: '督办数',
    ranking: '部门排名（星级评价）', rank: '名次', dept: '部门', score: '综合得分', stars: '星级', report: '月度分析报告', month: '月份', download: '下载报告', kept: '自动生成的报告', formula: '满意率口径', share: '(满意+基本满意)/已评价', weighted: '满意+0.9×基本满意', query: '查询', chart: '受理与办结' },
  kiosk: { title: '大屏免登录链接', name: '名称', division: '区划代码（可选）', create: '生成链接', created: '新链接（只显示一次，请复制）', revoke: '吊销', revoked: '已吊销', active: '有效', created_at: '创建时间', open: '打开大屏', confirm_revoke: '吊销后使用此链接的大屏立即失效，确定？' },
  w: { area: '区域', kind: { grid: '网格', village: '村（社区）', township: '乡镇（街道）' }, title: '风险预警', computed: '计算于', map: '网格风险热力图', forecast: '未来 48 小时案件预测（乡镇）', next48: '预计 48 小时 {n} 件', list: '预警记录', all: '全部', none: '暂无预警', level_col: '等级', score: '风险分', raised: '发出时间', top: '主要因素', value: '值', weight: '权重', seen: '已阅', to_case: '转为案件', dismiss: '撤销', dismiss_reason: '撤销理由', to_case_confirm: '将预警“{title}”转为案件？', cases: '件', cases7: '近7天', cases30: '近30天', observed48: '近48小时实际', forecast48: '未来48小时预测', baseline48: '48小时基线',
    level: { blue: '蓝', yellow: '黄', orange: '橙', red: '红' }, st: { raised: '新预警', seen: '已阅', case: '已转案件', dismissed: '已撤销' } },
  loc: { map: '地图选点', search: '按地址或地名定位，如“某某社区3网格”', hint: '点击网格选定位置，可拖动、缩放', none: '该区域没有网格边界', too_many: '网格过多（{n} 个），请先选择乡镇', kind: { township: '乡镇', village: '村社区', grid: '网格' } },
  bulk: { selected: '已选 {n} 件', do: '批量{a}', summary: '成功 {ok} 件，失败 {failed} 件', result: '结果', ok: '成功' },
  intake_ok: '受理成功，案件编码 {code}',
  admin: { add_user: '新增用户', username: '用户名', display_name: '姓名', roles: '角色', division: '区划代码', department: '部门编号', password: '初始密码', save: '保存', date: '日期', kind: '类型', off: '放假', work: '调休上班', name: '名称', unit: '单位', amount: '时限', warn: '预警比例', response: '响应时限（小时）', any: '任意', edit_user: '编辑用户', disabled: '已停用', locked: '已锁定', unlock: '解锁' },
  ref: {
    filter: '按名称、代码筛选', code: '代码', name: '名称', level: '层级', households: '户数', grids: '网格', grids_of: '{name} 的网格', pick_village: '在左侧区划树中选择村（社区）查看网格',
    kind: '部门类别', presence: '进驻方式', division: '区划', all_divisions: '全部区划', dispute: '矛盾纠纷（GB/T 31000）', grid_matter: '网格事项', keywords: '关键词',
    category: '事项类别', any_level: '各层级', lead: '牵头部门', assist: '配合部门', duty: '职责', count: '共 {n} 条', new: '新增条目',
    pres: { resident: '常驻', rotating: '轮驻', on_call: '随驻' },
    status: '状态', on: '启用', off: '停用', new_dept: '新增部门', edit_dept: '编辑部门', remove: '删除', removed: '已删除',
    national: 'GB/T 31000 国家标准：可调整关键词与启用状态', new_matter: '新增网格事项', add_child: '添加下级', keywords_hint: '以逗号分隔，用于智能分派',
    rename: '改名', add_village: '新增村（社区）', add_grid: '新增网格', edit_grid: '编辑网格', polygon: '边界', village_code: '12 位代码：{prefix} 加 3 位序号',
    polygon_hint: 'GeoJSON 多边形：type 为 Polygon，coordinates 为首尾相同的 [经度, 纬度] 环（最多 2000 个点）', polygon_json: '边界不是有效的 JSON',
    deactivated: '该部门已被案件或用户引用，已停用（未删除）', confirm_remove: '删除该部门？已被案件或用户引用的部门将改为停用。', division_code: '12 位区划代码',
  },
  dk: { justice: '司法行政', police: '公安', letters: '信访', hrss: '人力社保', housing: '住房建设', urban: '综合行政执法', market: '市场监管', natural_resources: '自然资源', civil_affairs: '民政', health: '卫生健康', ecology: '生态环境', education: '教育', transport: '交通运输', emergency: '应急管理', women: '妇联', court: '法院', agriculture: '农业农村', community: '村（社区）' },
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
  nav: { home: 'Home', intake: 'Intake', search: 'Search', stats: 'Statistics', warnings: 'Early warning', kiosk: 'Kiosk links', scenarios: 'Mediation scenarios', inboxes: 'Cases', admin: 'Administration', users: 'Users', calendar: 'Holiday calendar', sla: 'SLA policy', divisions: 'Divisions and grids', departments: 'Departments', categories: 'Categories', responsibilities: 'Responsibility list' },
  box: { assess: 'To assess', dispatch: 'To dispatch', accept: 'To accept', handling: 'Handling', verify: 'To verify', closed: 'Closed, to rate', duesoon: 'Due soon', overdue: 'Overdue', supervised: 'Supervised', mine: 'Registered by me', all: 'All cases', today: 'Today\'s intake' },
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
  sg: { confidence: 'confidence', title: 'Routing suggestion', model: 'model learned {n} cases', keywords: 'Matched keywords', model_p: 'model', kw_p: 'rules', similar: 'Similar cases', duty: 'Responsibility list', more: 'More suggestions', less: 'Less', used: 'Used: {c}' },
  rc: { title: 'Recommended mediation scenarios', by_suggest: 'category from the suggestion', why: 'Why', similarity: 'similarity', methods: 'Methods', legal: 'Legal basis', steps: 'Steps', mediators: 'Mediators / studios', documents: 'Documents', apply: 'Apply', applied: 'Applied', applied_ok: 'Recorded', similar: 'Similar resolved cases', settled: 'Settled', unsettled: 'Not settled' },
  dup: { title: 'Duplicates and repeat petitions', repeat: 'Repeat petition', none: 'No duplicate candidates', score: 'similarity', earlier: 'earlier', later: 'later', merged: 'Merged', merge: 'Merge duplicate', merge_into: 'Merge into …{code}', merge_confirm: 'Merge this case {code} as a duplicate into {into}? This case is archived; both timelines are kept.', merged_ok: 'Merged', links: 'Links' },
  search: { title: 'Search', q: 'Keywords, separated by spaces', go: 'Search', total: '{n} matches', total_more: 'the newest {n}+ matches', older: 'Search older cases', status: 'Status', channel: 'Channel', from: 'From', to: 'To', empty: 'No matching cases', score: 'Score' },
  export: { csv: 'Export CSV', xlsx: 'Export Excel' },
  sc: { title: 'Mediation scenarios', q: 'Name or keyword', new: 'New scenario', edit: 'Edit', code: 'Code', name: 'Name', categories: 'Categories (codes)', keywords: 'Keywords', legal_basis: 'Legal basis', methods: 'Methods', steps: 'Steps', mediators: 'Mediators / studios', documents: 'Documents', one_per_line: 'one per line' },
  view: { save: 'Save view', name: 'View name' },
  st: { title: 'Statistics', from: 'From', to: 'To', group_by: 'Group by', by: { division: 'Division', department: 'Department', category1: 'Category (level 1)', category: 'Category (level 2)', channel: 'Channel', grade: 'Grade', day: 'Day', week: 'Week', month: 'Month', quarter: 'Quarter', year: 'Year' },
    intake: 'Intake', closed: 'Closed', open: 'Open', closure_rate: 'Closure rate', settlement_rate: 'Settlement rate', on_time_rate: 'On-time rate', overdue_rate: 'Overdue rate', response_rate: 'Response rate', satisfaction_rate: 'Satisfaction', follow_up_rate: 'Follow-up rate', avg_handling_hours: 'Avg handling (working h)', repeat_rate: 'Repeat rate', return_rate: 'Return rate', supervisions: 'Supervisions',
    ranking: 'Department ranking (stars)', rank: 'Rank', dept: 'Department', score: 'Score', stars: 'Stars', report: 'Monthly report', month: 'Month', download: 'Download', kept: 'Reports kept', formula: 'Satisfaction formula', share: '(satisfied+basic)/rated', weighted: 'satisfied+0.9×basic', query: 'Query', chart: 'Intake and closed' },
  kiosk: { title: 'Big-screen kiosk links', name: 'Name', division: 'Division code (optional)', create: 'Create link', created: 'New link (shown once: copy it)', revoke: 'Revoke', revoked: 'Revoked', active: 'Active', created_at: 'Created', open: 'Open screen', confirm_revoke: 'Screens using this link stop at once. Revoke?' },
  w: { area: 'Area', kind: { grid: 'Grid', village: 'Village', township: 'Township' }, title: 'Early warning', computed: 'computed', map: 'Grid risk map', forecast: 'Cases forecast, next 48 h (townships)', next48: 'next 48 h: {n} cases', list: 'Warnings', all: 'All', none: 'No warnings', level_col: 'Level', score: 'Score', raised: 'Raised', top: 'Main factors', value: 'value', weight: 'weight', seen: 'Seen', to_case: 'Make a case', dismiss: 'Dismiss', dismiss_reason: 'Reason for dismissing', to_case_confirm: 'Turn the warning "{title}" into a case?', cases: 'cases', cases7: '7 days', cases30: '30 days', observed48: 'observed, last 48 h', forecast48: 'forecast, next 48 h', baseline48: 'baseline, 48 h',
    level: { blue: 'Blue', yellow: 'Yellow', orange: 'Orange', red: 'Red' }, st: { raised: 'Raised', seen: 'Seen', case: 'Case made', dismissed: 'Dismissed' } },
  loc: { map: 'Map', search: 'Find by address or place name, e.g. “XX community grid 3”', hint: 'Click a grid to set the location; drag and zoom', none: 'No grid boundaries here', too_many: 'Too many grids ({n}): choose a township first', kind: { township: 'township', village: 'village', grid: 'grid' } },
  bulk: { selected: '{n} selected', do: '{a} selected', summary: '{ok} done, {failed} failed', result: 'Result', ok: 'Done' },
  intake_ok: 'Registered: case code {code}',
  admin: { add_user: 'Add user', username: 'Username', display_name: 'Name', roles: 'Roles', division: 'Division code', department: 'Department id', password: 'Initial password', save: 'Save', date: 'Date', kind: 'Kind', off: 'Holiday', work: 'Make-up workday', name: 'Name', unit: 'Unit', amount: 'Limit', warn: 'Warn fraction', response: 'Response (hours)', any: 'any', edit_user: 'Edit user', disabled: 'Disabled', locked: 'Locked', unlock: 'Unlock' },
  ref: {
    filter: 'Filter by name or code', code: 'Code', name: 'Name', level: 'Level', households: 'Households', grids: 'Grids', grids_of: 'Grids of {name}', pick_village: 'Pick a village in the division tree to see its grids',
    kind: 'Department kind', presence: 'Presence', division: 'Division', all_divisions: 'All divisions', dispute: 'Disputes (GB/T 31000)', grid_matter: 'Grid matters', keywords: 'Keywords',
    category: 'Category', any_level: 'Any level', lead: 'Lead', assist: 'Assisting', duty: 'Duty', count: '{n} entries', new: 'New entry',
    pres: { resident: 'Resident', rotating: 'Rotating', on_call: 'On call' },
    status: 'Status', on: 'Active', off: 'Inactive', new_dept: 'New department', edit_dept: 'Edit department', remove: 'Delete', removed: 'Deleted',
    national: 'GB/T 31000 national standard: keywords and the active switch only', new_matter: 'New grid matter', add_child: 'Add child', keywords_hint: 'Comma-separated, used by routing',
    rename: 'Rename', add_village: 'Add village/community', add_grid: 'Add grid', edit_grid: 'Edit grid', polygon: 'Boundary', village_code: '12 digits: {prefix} + 3',
    polygon_hint: 'GeoJSON polygon: type Polygon, coordinates as closed rings of [lon, lat] (at most 2,000 points)', polygon_json: 'The boundary is not valid JSON',
    deactivated: 'Cases or users refer to this department: deactivated, not deleted', confirm_remove: 'Delete this department? One that cases or users refer to is deactivated instead.', division_code: '12-digit division code',
  },
  dk: { justice: 'Justice', police: 'Police', letters: 'Letters & visits', hrss: 'Human resources & social security', housing: 'Housing & construction', urban: 'Urban management', market: 'Market regulation', natural_resources: 'Natural resources', civil_affairs: 'Civil affairs', health: 'Health', ecology: 'Ecology & environment', education: 'Education', transport: 'Transport', emergency: 'Emergency management', women: "Women's federation", court: 'Court', agriculture: 'Agriculture', community: 'Village committee' },
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
