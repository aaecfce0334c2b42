import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  { path: 'regions', name: 'regions', component: () => import('./RegionsView.vue'), meta: { title: '行政区划' } },
]
