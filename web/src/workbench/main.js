import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import { makeI18n } from '../shared/i18n.js';
import { onUnauthorized } from '../shared/api.js';
import App from './App.vue';
import { router } from './router.js';
import { session } from './session.js';
import './style.css';

const i18n = makeI18n();
onUnauthorized((e) => {
  session.user = null;
  const cur = router.currentRoute.value;
  if (cur.name !== 'login') router.replace({ name: 'login', query: { reason: e.code, next: cur.fullPath } });
});
const app = createApp(App);
app.use(i18n).use(router).use(ElementPlus, { locale: zhCn });
app.mount('#app');
export { i18n };
