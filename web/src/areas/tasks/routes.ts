import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  {
    path: 'tasks',
    name: 'tasks',
    component: () => import('./TasksView.vue'),
    meta: { title: '我的待办', permission: ['report_progress', 'record_visits'] },
  },
]
