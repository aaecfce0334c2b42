import type { RouteRecordRaw } from 'vue-router'

// Everyone may open them: the server lists a bureau its region's problems and a unit only
// those given to it.
export const routes: RouteRecordRaw[] = [
  {
    path: 'problems',
    name: 'problems',
    component: () => import('./ProblemsView.vue'),
    meta: { title: '问题清单' },
  },
  {
    path: 'problems/:id(\\d+)',
    name: 'problem',
    component: () => import('./ProblemView.vue'),
    meta: { title: '问题详情' },
  },
]
