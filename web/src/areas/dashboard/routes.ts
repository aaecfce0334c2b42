import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  { path: '', name: 'dashboard', component: () => import('./DashboardView.vue'), meta: { title: '工作台' } },
  { path: 'leader', name: 'leader', component: () => import('./LeaderView.vue'), meta: { title: '领导看板' } },
]
