import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  { path: 'projects', name: 'projects', component: () => import('./ProjectsView.vue'), meta: { title: '项目台账' } },
  {
    path: 'projects/:id(\\d+)',
    name: 'project',
    component: () => import('./ProjectDetailView.vue'),
    meta: { title: '项目详情' },
  },
]
