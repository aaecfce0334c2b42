import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  {
    path: 'users',
    name: 'users',
    component: () => import('./UsersView.vue'),
    meta: { title: '用户管理', permission: 'read_users' },
  },
  { path: 'roles', name: 'roles', component: () => import('./RolesView.vue'), meta: { title: '角色权限' } },
]
