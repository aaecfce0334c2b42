import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { setPasswordChangeHandler, setUnauthenticatedHandler } from '@/api/client'
import { allowed } from '@/lib/menu'
import { useAuthStore } from '@/stores/auth'

declare module 'vue-router' {
  interface RouteMeta {
    title?: string
    permission?: string
    public?: boolean
  }
}

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { public: true, title: '登录' },
  },
  {
    path: '/',
    component: () => import('@/layouts/MainLayout.vue'),
    children: [
      { path: '', name: 'dashboard', component: () => import('@/views/DashboardView.vue'), meta: { title: '工作台' } },
      {
        path: 'users',
        name: 'users',
        component: () => import('@/views/UsersView.vue'),
        meta: { title: '用户管理', permission: 'read_users' },
      },
      {
        path: 'projects',
        name: 'projects',
        component: () => import('@/views/ProjectsView.vue'),
        meta: { title: '项目台账' },
      },
      {
        path: 'projects/:id(\\d+)',
        name: 'project',
        component: () => import('@/views/ProjectDetailView.vue'),
        meta: { title: '项目详情' },
      },
      { path: 'events', name: 'events', component: () => import('@/views/EventsView.vue'), meta: { title: '签约活动' } },
      {
        path: 'funds/review',
        name: 'fund-review',
        component: () => import('@/views/FundReviewView.vue'),
        meta: { title: '资金审核', permission: 'review_funds' },
      },
      {
        path: 'duplicates',
        name: 'duplicates',
        component: () => import('@/views/DuplicatesView.vue'),
        meta: { title: '重复核查', permission: 'manage_ledger' },
      },
      { path: 'rates', name: 'rates', component: () => import('@/views/RatesView.vue'), meta: { title: '三率统计' } },
      { path: 'roles', name: 'roles', component: () => import('@/views/RolesView.vue'), meta: { title: '角色权限' } },
      {
        path: 'units',
        name: 'units',
        component: () => import('@/views/UnitsView.vue'),
        meta: { title: '单位名录', permission: 'read_units' },
      },
      { path: 'regions', name: 'regions', component: () => import('@/views/RegionsView.vue'), meta: { title: '行政区划' } },
      {
        path: 'rules',
        name: 'rules',
        component: () => import('@/views/RulesView.vue'),
        meta: { title: '规则设置', permission: 'manage_rules' },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('@/views/AuditView.vue'),
        meta: { title: '审计日志', permission: 'read_audit' },
      },
      { path: 'password', name: 'password', component: () => import('@/views/PasswordView.vue'), meta: { title: '修改密码' } },
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/NotFoundView.vue'),
    meta: { public: true, title: '页面不存在' },
  },
]

export const router = createRouter({ history: createWebHistory('/'), routes })

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  if (!auth.checked) await auth.fetchMe()
  if (to.meta.public) {
    if (to.name === 'login' && auth.me) return { path: '/' }
    return true
  }
  if (!auth.me) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (auth.me.must_change_password && to.name !== 'password') return { name: 'password' }
  if (!allowed(auth.permissions, to.meta.permission)) return { name: 'dashboard' }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 落地` : '落地 · 招商引资项目履约落地平台'
})

setUnauthenticatedHandler(() => {
  const auth = useAuthStore()
  auth.clear()
  const current = router.currentRoute.value
  if (current.name !== 'login') {
    void router.replace({ name: 'login', query: { redirect: current.fullPath } })
  }
})

setPasswordChangeHandler(() => {
  if (router.currentRoute.value.name !== 'password') void router.replace({ name: 'password' })
})
