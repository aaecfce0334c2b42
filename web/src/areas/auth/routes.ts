import type { RouteRecordRaw } from 'vue-router'

/** The sign-in page stands outside the main layout. */
export const publicRoutes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./LoginView.vue'), meta: { public: true, title: '登录' } },
]

export const routes: RouteRecordRaw[] = [
  { path: 'password', name: 'password', component: () => import('./PasswordView.vue'), meta: { title: '修改密码' } },
  { path: 'security', name: 'security', component: () => import('./SecurityView.vue'), meta: { title: '账号安全' } },
]
