import { createApp } from 'vue';
import Vant from 'vant';
import 'vant/lib/index.css';
import { makeI18n } from '../shared/i18n.js';
import App from './App.vue';

const i18n = makeI18n({
  zh: { m: { title: '枫桥网格通', login: '网格员登录', report: '事件上报', mine: '我的上报', queue: '待发送', category: '事项类别', photo: '现场照片', gps: '位置', locate: '获取定位', located: '已定位', no_gps: '无法定位', send: '上报', queued: '已保存，联网后自动发送', sent: '上报成功', offline: '离线', online: '在线', sync: '立即同步', pending: '条待发送', empty: '暂无', deadline: '建议办结时间', grid: '网格', tasks: '任务', tasks_title: '待回访确认', no_tasks: '暂无待回访案件', follow: '回访', confirm: '结果确认', fu_content: '回访情况', fu_send: '提交回访', fu: { visit: '上门', phone: '电话' } } },
  en: { m: { title: 'Fengqiao Grid', login: 'Grid worker login', report: 'Report', mine: 'My reports', queue: 'Outbox', category: 'Category', photo: 'Photo', gps: 'Location', locate: 'Locate', located: 'Located', no_gps: 'No location', send: 'Send', queued: 'Saved; sent when online', sent: 'Reported', offline: 'Offline', online: 'Online', sync: 'Sync now', pending: 'waiting', empty: 'None', deadline: 'Proposed deadline', grid: 'Grid', tasks: 'Tasks', tasks_title: 'To follow up and confirm', no_tasks: 'No cases to follow up', follow: 'Follow-up', confirm: 'Result confirmed', fu_content: 'Notes', fu_send: 'Record follow-up', fu: { visit: 'Visit', phone: 'Phone' } } },
});
createApp(App).use(i18n).use(Vant).mount('#app');

if ('serviceWorker' in navigator) navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => {});
