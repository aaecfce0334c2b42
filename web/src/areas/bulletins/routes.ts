import type { RouteRecordRaw } from 'vue-router'

// Everyone may open them: the server lists a user only the bulletins addressed to its region
// (its own, the regions above) or issued within its scope, and its own region's drafts.
export const routes: RouteRecordRaw[] = [
  {
    path: 'bulletins',
    name: 'bulletins',
    component: () => import('./BulletinsView.vue'),
    meta: { title: '通报' },
  },
  {
    path: 'bulletins/:id(\\d+)',
    name: 'bulletin',
    component: () => import('./BulletinView.vue'),
    meta: { title: '通报详情' },
  },
]
