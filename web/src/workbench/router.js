import { createRouter, createWebHashHistory } from 'vue-router';
import { session, loadMe } from './session.js';
import Login from './views/Login.vue';
import Home from './views/Home.vue';
import Intake from './views/Intake.vue';
import Inbox from './views/Inbox.vue';
import CaseDetail from './views/CaseDetail.vue';
import AdminUsers from './views/AdminUsers.vue';
import AdminCalendar from './views/AdminCalendar.vue';
import AdminSla from './views/AdminSla.vue';
import Search from './views/Search.vue';
import Stats from './views/Stats.vue';
import AdminKiosk from './views/AdminKiosk.vue';
import Warnings from './views/Warnings.vue';
import AdminScenarios from './views/AdminScenarios.vue';
import AdminDivisions from './views/AdminDivisions.vue';
import AdminDepartments from './views/AdminDepartments.vue';
import AdminCategories from './views/AdminCategories.vue';
import AdminResponsibilities from './views/AdminResponsibilities.vue';

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/login', name: 'login', component: Login, meta: { public: true } },
    { path: '/', name: 'home', component: Home },
    { path: '/intake', name: 'intake', component: Intake },
    { path: '/inbox/:box', name: 'inbox', component: Inbox, props: true },
    { path: '/cases/:code', name: 'case', component: CaseDetail, props: true },
    { path: '/search', name: 'search', component: Search },
    { path: '/stats', name: 'stats', component: Stats },
    { path: '/warnings', name: 'warnings', component: Warnings },
    { path: '/admin/scenarios', name: 'scenarios', component: AdminScenarios },
    { path: '/admin/kiosk', name: 'kiosk', component: AdminKiosk },
    { path: '/admin/users', name: 'users', component: AdminUsers },
    { path: '/admin/calendar', name: 'calendar', component: AdminCalendar },
    { path: '/admin/sla', name: 'sla', component: AdminSla },
    { path: '/admin/divisions', name: 'divisions', component: AdminDivisions },
    { path: '/admin/departments', name: 'departments', component: AdminDepartments },
    { path: '/admin/categories', name: 'categories', component: AdminCategories },
    { path: '/admin/responsibilities', name: 'responsibilities', component: AdminResponsibilities },
    { path: '/:rest(.*)', redirect: '/' },
  ],
});

router.beforeEach(async (to) => {
  if (!session.checked) await loadMe();
  if (!to.meta.public && !session.user) return { name: 'login', query: { next: to.fullPath } };
  if (to.name === 'login' && session.user && !to.query.reason) return { name: 'home' };
});
