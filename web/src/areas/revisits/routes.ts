import type { RouteRecordRaw } from 'vue-router'

// Whoever sees the project sees its forms; group members and bureaus record them.
export const routes: RouteRecordRaw[] = [
  {
    path: 'projects/:id(\\d+)/revisits',
    name: 'project-revisits',
    component: () => import('./RevisitsView.vue'),
    meta: { title: '回访登记表' },
  },
]
