import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  {
    path: 'duplicates',
    name: 'duplicates',
    component: () => import('./DuplicatesView.vue'),
    meta: { title: '重复核查', permission: 'manage_ledger' },
  },
]
