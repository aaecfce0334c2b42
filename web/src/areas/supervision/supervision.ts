// Code lists and small rules of the supervision area, keyed by the generated enum types.
import type { ProblemListStatus, VisitMethod } from '@/api/types'

export const METHODS: readonly { value: VisitMethod; label: string }[] = [
  { value: 'on_site', label: '现场调研' },
  { value: 'symposium', label: '座谈交流' },
  { value: 'documents', label: '查阅资料' },
  { value: 'company_visit', label: '走访企业' },
  { value: 'unannounced', label: '暗访暗查' },
]

/** The tag colour of a problem list's standing. */
export function listTag(status: ProblemListStatus | null | undefined): 'info' | 'danger' | 'success' | 'warning' {
  switch (status) {
    case 'overdue':
      return 'danger'
    case 'submitted':
      return 'success'
    case 'submitted_late':
      return 'warning'
    default:
      return 'info'
  }
}

/** `2026-Q4` for a day (YYYY-MM-DD). */
export function quarterOf(day: string): string {
  const [year, month] = day.split('-').map(Number)
  return `${year}-Q${Math.floor((month - 1) / 3) + 1}`
}

/** The quarter before or after `quarter` (`2026-Q4`). */
export function shiftQuarter(quarter: string, by: number): string {
  const [year, q] = quarter.split('-Q').map(Number)
  const index = year * 4 + (q - 1) + by
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`
}

/** "2026年第四季度" */
export function quarterLabel(quarter: string): string {
  const [year, q] = quarter.split('-Q').map(Number)
  return `${year}年第${['一', '二', '三', '四'][q - 1]}季度`
}
