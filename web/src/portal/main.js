import { createApp } from 'vue';
import Vant from 'vant';
import 'vant/lib/index.css';
import { makeI18n } from '../shared/i18n.js';
import Portal from './Portal.vue';

const i18n = makeI18n({
  zh: { p: { title: '枫桥 · 群众诉求服务', submit_tab: '我要反映', lookup_tab: '查询评价', name: '您的称呼', phone: '联系电话', division: '所在区划', division_hint: '12 位村（社区）或乡镇代码，可咨询社区', challenge: '验证题', answer: '答案', send: '提交', sent: '提交成功！请记下案件编码', code: '案件编码', phone4: '联系电话后 4 位', find: '查询', rate: '评价办理结果', comment: '意见建议（选填）', rated: '感谢您的评价', bad_code: '案件编码校验失败，请核对', again: '再提交一件', result: '办理结果', timeline: '办理进度' } },
  en: { p: { title: 'Fengqiao · Citizen requests', submit_tab: 'Submit', lookup_tab: 'Track & rate', name: 'Your name', phone: 'Contact phone', division: 'Division code', division_hint: '12-digit village or township code', challenge: 'Challenge', answer: 'Answer', send: 'Submit', sent: 'Submitted! Keep your case code', code: 'Case code', phone4: 'Last 4 phone digits', find: 'Look up', rate: 'Rate the result', comment: 'Comment (optional)', rated: 'Thank you for your rating', bad_code: 'Invalid case code: please check it', again: 'Submit another', result: 'Result', timeline: 'Progress' } },
});
createApp(Portal).use(i18n).use(Vant).mount('#app');
