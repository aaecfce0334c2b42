import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  {
    path: 'funds/review',
    name: 'fund-review',
    component: () => import('./FundReviewView.vue'),
    meta: { title: '资金审核', permission: 'review_funds' },
  },
]
