// Monthly dispatch (一月一调度) as pages show it: report and update states, a round's default
// deadline, and the round's filters as the API takes them.

import type { ProblemInput } from '@/api/types'
import { previousPeriod } from '@/areas/ledger/ledger'

type TagType = 'success' | 'primary' | 'warning' | 'danger' | 'info'

/** Day of the next month a round is due when its organiser names no deadline (as the server). */
export const DEFAULT_DUE_DAY = 5

/** Tag colour of a reporter's state on the board (the server's labels). */
export function reporterStatusTag(status: string): TagType {
  switch (status) {
    case '已报':
      return 'success'
    case '已报（逾期）':
      return 'warning'
    case '填报中':
      return 'primary'
    case '逾期':
    case '退回':
      return 'danger'
    default:
      return 'info'
  }
}

/** An update's state; none means the project has no update for the month yet. */
export function updateStatusLabel(status: string | null | undefined): string {
  switch (status) {
    case 'draft':
      return '草稿'
    case 'submitted':
      return '已报'
    case 'returned':
      return '退回'
    default:
      return '未填报'
  }
}

export function updateStatusTag(status: string | null | undefined): TagType {
  switch (status) {
    case 'draft':
      return 'primary'
    case 'submitted':
      return 'success'
    case 'returned':
      return 'danger'
    default:
      return 'info'
  }
}

/** The month a round is opened for by default: the month just ended. */
export function defaultPeriod(today: string): string {
  return previousPeriod(today)
}

/**
 * The deadline the server gives a round for `period` when none is named: the 5th of the next
 * month, or today when that has passed.
 */
export function defaultDueOn(period: string, today: string): string {
  const year = Number(period.slice(0, 4))
  const month = Number(period.slice(5, 7))
  const [y, m] = month === 12 ? [year + 1, 1] : [year, month + 1]
  const due = `${y}-${String(m).padStart(2, '0')}-${String(DEFAULT_DUE_DAY).padStart(2, '0')}`
  return due < today ? today : due
}

/** "2026-11" → "2026年11月". */
export function periodLabel(period: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period)
  return m ? `${m[1]}年${Number(m[2])}月` : period
}

/** The month before `period`, as officials write it: "2026-01" → "2025年12月". */
export function previousPeriodOf(period: string): string {
  return periodLabel(previousPeriod(`${period}-01`))
}

/** Share of a round's projects reported, 0–100. */
export function progressPercent(submitted: number, total: number): number {
  if (total <= 0) return 0
  return Math.min(100, Math.round((submitted / total) * 100))
}

export interface RoundFilters {
  region: string | null
  q: string
  keyOnly: boolean
}

/** The ledger filters a round is opened with, as query parameters. */
export function roundQuery(f: RoundFilters): { region?: string; q?: string; key_project?: boolean } {
  return {
    region: f.region || undefined,
    q: f.q.trim() || undefined,
    key_project: f.keyOnly || undefined,
  }
}

export const blankProblem = (category = ''): ProblemInput => ({ text: '', category, help_asked: false })

/** The server's error on one field of the i-th problem (`problems[1].category`). */
export function problemError(errors: Record<string, string>, index: number, field: keyof ProblemInput): string {
  return errors[`problems[${index}].${field}`] ?? ''
}

/** Field errors that no field of the update form shows (the month, the state, the version). */
export function otherErrors(errors: Record<string, string>): string[] {
  const shown = /^(progress|next_steps|problems(\[\d+\]\.(text|category|help_asked))?)$/
  return Object.entries(errors)
    .filter(([k]) => !shown.test(k))
    .map(([, v]) => v)
}
