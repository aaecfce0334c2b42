import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  {
    path: 'audit',
    name: 'audit',
    component: () => import('./AuditView.vue'),
    meta: { title: '审计日志', permission: 'read_audit' },
  },
]
