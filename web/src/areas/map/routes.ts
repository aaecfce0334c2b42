import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  { path: 'map/:code?', name: 'map', component: () => import('./MapView.vue'), meta: { title: '招商地图' } },
]
