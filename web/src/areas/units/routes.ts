import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  {
    path: 'units',
    name: 'units',
    component: () => import('./UnitsView.vue'),
    meta: { title: '单位名录', permission: 'read_units' },
  },
]
