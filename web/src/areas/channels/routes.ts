import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  {
    path: 'channels/robots',
    name: 'channel-robots',
    component: () => import('./RobotsView.vue'),
    meta: { title: '群机器人', permission: 'manage_dispatch' },
  },
  {
    path: 'channels/failures',
    name: 'channel-failures',
    component: () => import('./FailuresView.vue'),
    meta: { title: '发送失败', permission: 'manage_users' },
  },
]
