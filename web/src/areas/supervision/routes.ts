import type { RouteRecordRaw } from 'vue-router'
import { SUPERVISION } from '@/layouts/menu'

// The server lists a bureau the groups formed in its scope and their visits, a member its own
// groups.
export const routes: RouteRecordRaw[] = [
  {
    path: 'supervision',
    name: 'supervision',
    component: () => import('./GroupsView.vue'),
    meta: { title: '督导组', permission: SUPERVISION },
  },
  {
    path: 'supervision/visits',
    name: 'visits',
    component: () => import('./VisitsView.vue'),
    meta: { title: '督导调研', permission: SUPERVISION },
  },
  {
    path: 'supervision/visits/:id(\\d+)',
    name: 'visit',
    component: () => import('./VisitView.vue'),
    meta: { title: '督导记录', permission: SUPERVISION },
  },
]
