import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { setPasswordChangeHandler, setUnauthenticatedHandler } from '@/api/client'
import { routes as assistance } from '@/areas/assistance/routes'
import { routes as audit } from '@/areas/audit/routes'
import { routes as channels } from '@/areas/channels/routes'
import { publicRoutes, routes as account } from '@/areas/auth/routes'
import { routes as dashboard } from '@/areas/dashboard/routes'
import { routes as dispatch } from '@/areas/dispatch/routes'
import { routes as duplicates } from '@/areas/duplicates/routes'
import { routes as events } from '@/areas/events/routes'
import { routes as funds } from '@/areas/funds/routes'
import { routes as ledger } from '@/areas/ledger/routes'
import { routes as map } from '@/areas/map/routes'
import { routes as meetings } from '@/areas/meetings/routes'
import { routes as bulletins } from '@/areas/bulletins/routes'
import { routes as campaigns } from '@/areas/campaigns/routes'
import { routes as problems } from '@/areas/problems/routes'
import { routes as rates } from '@/areas/rates/routes'
import { routes as regions } from '@/areas/regions/routes'
import { routes as revisits } from '@/areas/revisits/routes'
import { routes as rules } from '@/areas/rules/routes'
import { routes as supervision } from '@/areas/supervision/routes'
import { routes as tasks } from '@/areas/tasks/routes'
import { routes as units } from '@/areas/units/routes'
import { routes as users } from '@/areas/users/routes'
import { allowed } from '@/layouts/menu'
import { useAuthStore } from '@/stores/auth'

declare module 'vue-router' {
  interface RouteMeta {
    title?: string
    permission?: string | readonly string[]
    public?: boolean
  }
}

// Each area declares its own pages; the main layout holds them all, in the order of the menu.
const routes: RouteRecordRaw[] = [
  ...publicRoutes,
  {
    path: '/',
    component: () => import('@/layouts/MainLayout.vue'),
    children: [
      ...dashboard,
      ...tasks,
      ...ledger,
      ...events,
      ...funds,
      ...dispatch,
      ...meetings,
      ...problems,
      ...supervision,
      ...revisits,
      ...assistance,
      ...campaigns,
      ...bulletins,
      ...duplicates,
      ...rates,
      ...map,
      ...users,
      ...units,
      ...regions,
      ...rules,
      ...channels,
      ...audit,
      ...account,
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/layouts/NotFoundView.vue'),
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
