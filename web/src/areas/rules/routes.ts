import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  {
    path: 'rules',
    name: 'rules',
    component: () => import('./RulesView.vue'),
    meta: { title: '规则设置', permission: 'manage_rules' },
  },
]
