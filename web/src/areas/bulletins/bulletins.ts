// Names and helpers of the bulletins area.
import type { PeriodKind, RankBy } from '@/api/types'

export const PERIOD_KINDS: { value: PeriodKind; label: string; max: number }[] = [
  { value: 'month', label: '月度', max: 12 },
  { value: 'quarter', label: '季度', max: 4 },
  { value: 'half_year', label: '半年', max: 2 },
  { value: 'year', label: '年度', max: 1 },
]

export const RANK_BY: { value: RankBy; label: string }[] = [
  { value: 'official', label: '按固定顺序' },
  { value: 'arrival_rate', label: '按资金到位率' },
  { value: 'fulfilment_rate', label: '按履约率' },
  { value: 'start_rate', label: '按开工率' },
]

const CN = ['一', '二', '三', '四']

/** "2026年第三季度", "2026年9月", "2026年上半年", "2026年". */
export function periodLabel(kind: string, year: number, index: number): string {
  switch (kind) {
    case 'month':
      return `${year}年${index}月`
    case 'quarter':
      return `${year}年第${CN[index - 1] ?? index}季度`
    case 'half_year':
      return `${year}年${index === 1 ? '上' : '下'}半年`
    default:
      return `${year}年`
  }
}

/** The choices of 第几期 for a kind: months 1–12, quarters 1–4, halves, the year. */
export function periodChoices(kind: PeriodKind, year: number): { value: number; label: string }[] {
  const max = PERIOD_KINDS.find((k) => k.value === kind)?.max ?? 1
  return Array.from({ length: max }, (_, i) => ({ value: i + 1, label: periodLabel(kind, year, i + 1) }))
}

/** The last month a period covers, YYYY-MM: the month that must be closed first. */
export function periodEnd(kind: PeriodKind, year: number, index: number): string {
  const month = kind === 'month' ? index : kind === 'quarter' ? index * 3 : kind === 'half_year' ? index * 6 : 12
  return `${year}-${String(month).padStart(2, '0')}`
}

/** The last finished month before `today`, YYYY-MM: what a bureau closes by default. */
export function lastFinishedMonth(today: Date): string {
  const d = new Date(today.getFullYear(), today.getMonth() - 1, 1)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}
