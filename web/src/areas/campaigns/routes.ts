import type { RouteRecordRaw } from 'vue-router'

// Everyone may open them: the server lists a user the campaigns of its region, of the regions
// below and of those above, and shows each campaign's projects within the user's own reach.
export const routes: RouteRecordRaw[] = [
  {
    path: 'campaigns',
    name: 'campaigns',
    component: () => import('./CampaignsView.vue'),
    meta: { title: '专项行动' },
  },
  {
    path: 'campaigns/:id(\\d+)',
    name: 'campaign',
    component: () => import('./CampaignView.vue'),
    meta: { title: '专项行动详情' },
  },
]
