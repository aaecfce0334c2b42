// Codes, labels and the worked example of campaigns (专项行动, domain §6).

import type { CampaignInput, GoalIndicator } from '@/api/types'

export const GOAL_INDICATORS: readonly { value: GoalIndicator; label: string }[] = [
  { value: 'arrival_rate', label: '资金到位率' },
  { value: 'fulfilment_rate', label: '履约率' },
  { value: 'start_rate', label: '开工率' },
]

/** The classes in the order the page shows them, with the report's count field. */
export const CLASSES = [
  { value: 'excellent', label: '优秀' },
  { value: 'good', label: '良好' },
  { value: 'fair', label: '一般' },
  { value: 'not_fulfilled', label: '未履约' },
] as const

/**
 * Hunan's 2020 "签约项目资金到位倍增行动" [000] as a campaign of `year`: the province-level
 * projects of the two preceding years' events plus the 三类500强 newly brought in those years;
 * 资金到位率 ≥ 20%; the four phases with the seed's dates moved to `year`.
 */
export function hunanExample(year: number): CampaignInput {
  return {
    name: `${year}年签约项目资金到位倍增行动`,
    rule: {
      any_of: [
        { event_levels: ['province'], event_years: [year - 2, year - 1], origins: [] },
        { signed_years: [year - 2, year - 1], fortune500: true, event_levels: [], origins: [] },
      ],
    },
    goals: [{ indicator: 'arrival_rate', target_bp: 2000 }],
    excellent_bp: 5000,
    good_bp: 2000,
    phases: [
      {
        name: '梳理摸底',
        starts_on: `${year}-05-25`,
        ends_on: `${year}-05-29`,
        requirements: '完成对调度范围内项目的梳理，按资金到位率分成“优秀”“良好”“一般”“未履约”四类',
      },
      {
        name: '分片督导',
        starts_on: `${year}-06-01`,
        ends_on: `${year}-06-30`,
        requirements: '督导小组分赴市州，采取现场调研、座谈交流等方式对省级重点签约项目进行调研督导',
      },
      {
        name: '集中督导',
        starts_on: `${year}-09-14`,
        ends_on: `${year}-09-30`,
        requirements: '厅领导分别率领相关处室负责人，分赴市州对部分省级重点项目进行集中调研督导',
      },
      {
        name: '回头看',
        starts_on: `${year}-11-16`,
        ends_on: `${year}-12-31`,
        requirements: '全面督导检查签约项目履约进展情况，对省级重点签约项目资金到位率进行考核评价',
      },
    ],
  }
}

/** A phase's state as a tag: done, current, or to come / past. */
export function phaseTag(status: string, current: boolean, light: string | null | undefined): 'success' | 'danger' | 'warning' | 'primary' | 'info' {
  if (status === 'done') return 'success'
  if (light === 'red') return 'danger'
  if (current) return light === 'yellow' ? 'warning' : 'primary'
  return 'info'
}
