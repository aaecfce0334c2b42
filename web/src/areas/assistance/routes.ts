import type { RouteRecordRaw } from 'vue-router'

// Everyone may open it: the server lists a bureau its region's items and a unit only its own.
export const routes: RouteRecordRaw[] = [
  {
    path: 'assistance',
    name: 'assistance',
    component: () => import('./AssistanceView.vue'),
    meta: { title: '帮办清单' },
  },
]
