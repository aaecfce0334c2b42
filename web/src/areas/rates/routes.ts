import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  { path: 'rates', name: 'rates', component: () => import('./RatesView.vue'), meta: { title: '三率统计' } },
]
