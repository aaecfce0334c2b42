import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  {
    path: 'dispatch',
    name: 'dispatch',
    component: () => import('./DispatchView.vue'),
    meta: { title: '月度调度', permission: 'report_progress' },
  },
  {
    path: 'dispatch/:id(\\d+)',
    name: 'dispatch-round',
    component: () => import('./RoundView.vue'),
    meta: { title: '调度轮次', permission: 'report_progress' },
  },
]
