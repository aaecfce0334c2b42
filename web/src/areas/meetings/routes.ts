import type { RouteRecordRaw } from 'vue-router'

// Everyone may open them: the server lists a user only the meetings its scope held or that gave
// it decisions.
export const routes: RouteRecordRaw[] = [
  {
    path: 'meetings',
    name: 'meetings',
    component: () => import('./MeetingsView.vue'),
    meta: { title: '会议调度' },
  },
  {
    path: 'meetings/:id(\\d+)',
    name: 'meeting',
    component: () => import('./MeetingView.vue'),
    meta: { title: '会议详情' },
  },
]
