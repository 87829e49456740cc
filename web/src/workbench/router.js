import { createRouter, createWebHashHistory } from 'vue-router';
import { session, loadMe, hasRole } from './session.js';
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
    { path: '/admin/scenarios', name: 'scenarios', component: AdminScenarios, meta: { roles: [] } },
    { path: '/admin/kiosk', name: 'kiosk', component: AdminKiosk, meta: { roles: ['leader'] } },
    { path: '/admin/users', name: 'users', component: AdminUsers, meta: { roles: [] } },
    { path: '/admin/calendar', name: 'calendar', component: AdminCalendar, meta: { roles: [] } },
    { path: '/admin/sla', name: 'sla', component: AdminSla, meta: { roles: [] } },
    { path: '/admin/divisions', name: 'divisions', component: AdminDivisions, meta: { roles: [] } },
    { path: '/admin/departments', name: 'departments', component: AdminDepartments, meta: { roles: [] } },
    { path: '/admin/categories', name: 'categories', component: AdminCategories, meta: { roles: [] } },
    { path: '/admin/responsibilities', name: 'responsibilities', component: AdminResponsibilities, meta: { roles: [] } },
    { path: '/:rest(.*)', redirect: '/' },
  ],
});

router.beforeEach(async (to) => {
  if (!session.checked) await loadMe();
  if (!to.meta.public && !session.user) return { name: 'login', query: { next: to.fullPath } };
  if (to.name === 'login' && session.user && !to.query.reason) return { name: 'home' };
  // pages of a role (admin always): the menu hides them, and a typed URL lands on the home page
  if (to.meta.roles && !hasRole(...to.meta.roles)) return { name: 'home' };
});
