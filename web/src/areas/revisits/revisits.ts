// Code lists of the revisit form, keyed by the generated enum types, in the form's order.
import type { RevisitSection, Satisfaction } from '@/api/types'

export const SECTIONS: readonly { value: RevisitSection; label: string; rated: boolean }[] = [
  { value: 'policy', label: '政策落实', rated: true },
  { value: 'commitments', label: '承诺兑现', rated: true },
  { value: 'factors', label: '要素保障', rated: true },
  { value: 'environment', label: '投资环境', rated: true },
  { value: 'service', label: '服务水平', rated: true },
  { value: 'difficulties', label: '存在的困难和问题', rated: false },
]

export const RATINGS: readonly { value: Satisfaction; label: string }[] = [
  { value: 'satisfied', label: '满意' },
  { value: 'fair', label: '基本满意' },
  { value: 'unsatisfied', label: '不满意' },
]

export function sectionLabel(section: RevisitSection): string {
  return SECTIONS.find((s) => s.value === section)?.label ?? section
}

export function ratingLabel(rating: Satisfaction | null | undefined): string {
  return RATINGS.find((r) => r.value === rating)?.label ?? '—'
}
