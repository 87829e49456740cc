import { createApp } from 'vue';
import { makeI18n } from '../shared/i18n.js';
import Screen from './Screen.vue';

const i18n = makeI18n({
  zh: { s: { title: '社会治理综合指挥大屏', today_in: '今日受理', today_closed: '今日办结', in_progress: '在办案件', overdue: '超期案件', closure_rate: '办结率', satisfaction: '满意率', due_soon: '即将超期', status_mix: '案件状态分布', channel_mix: '受理渠道分布', trend: '近 7 日受理趋势', ticker: '实时动态', live: '实时连接', offline: '连接中断，正在重连…', login: '大屏登录（领导账号）', kiosk: '指挥大厅可用管理员生成的免登录链接（/screen/?kiosk=…）', settlement_rate: '化解率', year_rates: '本年', ranking: '部门星级排名', category_mix: '事项类别分布（本年）', map: '网格风险地图', risk_legend: '蓝 黄 橙 红', revoked: '大屏链接无效或已吊销，请联系管理员' } },
  en: { s: { title: 'Command centre', today_in: 'Intake today', today_closed: 'Closed today', in_progress: 'In progress', overdue: 'Overdue', closure_rate: 'Closure rate', satisfaction: 'Satisfaction', due_soon: 'Due soon', status_mix: 'By status', channel_mix: 'By channel', trend: 'Intake, last 7 days', ticker: 'Live events', live: 'Live', offline: 'Disconnected, reconnecting…', login: 'Screen login (leader account)', kiosk: 'Command halls use a kiosk link made by an admin (/screen/?kiosk=…)', settlement_rate: 'Settlement rate', year_rates: 'this year', ranking: 'Department ranking', category_mix: 'By category (this year)', map: 'Grid risk map', risk_legend: 'blue yellow orange red', revoked: 'This kiosk link is invalid or revoked' } },
});
createApp(Screen).use(i18n).mount('#app');
