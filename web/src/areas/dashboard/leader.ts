// 领导看板: the figures a leader asks for, shaped for the charts, and where each chart's click
// leads (the list behind it). Pure functions, tested in leader.test.ts.
import type { MonthlyArrival, RateRow } from '@/api/types'
import type { RouteLocationRaw } from 'vue-router'

/** 分 or cents → 万 with two decimals, as a number for a chart. */
export function wan(minor: number): number {
  return Math.round(minor / 10_000) / 100
}

/**
 * The monthly bars: this year's months up to the month counted, last year's all twelve, in
 * 万元; and in 万美元 beside them when either year has any arrival in US dollars (drawn on
 * their own axis: 元 and dollars are never added together).
 */
export function monthlySeries(m: MonthlyArrival): {
  months: string[]
  thisYear: (number | null)[]
  lastYear: number[]
  usd: { thisYear: (number | null)[]; lastYear: number[] } | null
} {
  const upTo = Number(m.to.slice(5, 7))
  const hasUsd = m.months.some((x) => x.this_year_cents !== 0 || x.last_year_cents !== 0)
  return {
    months: m.months.map((x) => `${x.month}月`),
    thisYear: m.months.map((x) => (x.month <= upTo ? wan(x.this_year_fen) : null)),
    lastYear: m.months.map((x) => wan(x.last_year_fen)),
    usd: hasUsd
      ? {
          thisYear: m.months.map((x) => (x.month <= upTo ? wan(x.this_year_cents) : null)),
          lastYear: m.months.map((x) => wan(x.last_year_cents)),
        }
      : null,
  }
}

/** The 期 of a month of the chart (`2026-03`), for the 三率 as at its end. */
export function monthPeriod(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}`
}

/** The first day of the month `months` before `today` (YYYY-MM-DD): "signed long ago". */
export function monthsBefore(today: string, months: number): string {
  const year = Number(today.slice(0, 4))
  const month = Number(today.slice(5, 7)) - months
  const y = year + Math.floor((month - 1) / 12)
  const m = ((((month - 1) % 12) + 12) % 12) + 1
  return `${y}-${String(m).padStart(2, '0')}-01`
}

export const CLASSES = [
  { key: 'excellent', label: '优秀', color: '#67c23a' },
  { key: 'good', label: '良好', color: '#409eff' },
  { key: 'fair', label: '一般', color: '#e6a23c' },
  { key: 'not_fulfilled', label: '未履约', color: '#f56c6c' },
] as const

/** Where a click on a chart leads: the ledger filtered to what the bar or slice counts. */
export function drillTo(
  chart: 'region' | 'industry' | 'origin' | 'class' | 'month',
  key: string,
  context: { region: string | null; year?: number },
): RouteLocationRaw {
  const region = context.region ? { region: context.region } : {}
  switch (chart) {
    case 'region':
      return { path: '/projects', query: { region: key } }
    case 'industry':
      return { path: '/projects', query: { ...region, industry: key } }
    case 'origin':
      return { path: '/projects', query: { ...region, origin: key } }
    case 'class':
      // The ledger lists the projects without any arrival or start; the other classes are
      // bands of the 到位率, shown with their projects on the 三率 page.
      return key === 'not_fulfilled'
        ? { path: '/projects', query: { ...region, not_fulfilled: 'true' } }
        : { path: '/rates', query: { ...region } }
    case 'month':
      return { path: '/rates', query: { ...region, as_of: key } }
  }
}

/** Rows with signed projects, the largest contract first (industries, origins). */
export function byContract(rows: readonly RateRow[]): RateRow[] {
  return [...rows].filter((r) => r.projects > 0).sort((a, b) => b.contract_fen - a.contract_fen)
}

/** A figure of the problems card: the problem list, or the 帮办 overdue list, it counts. */
export type ProblemFigure = 'open' | 'overdue' | 'closed_in_year' | 'answered_on_time' | 'answered_late' | 'closing_rate' | 'assistance_overdue'

/** Where a click on a figure of the problems card leads: the list with the matching filter. */
export function problemDrill(figure: ProblemFigure, context: { region: string | null; year: number }): RouteLocationRaw {
  const region = context.region ? { region: context.region } : {}
  switch (figure) {
    case 'open':
      return { path: '/problems', query: { ...region, open: 'true' } }
    case 'overdue':
      return { path: '/problems', query: { ...region, overdue: 'true' } }
    case 'closed_in_year':
      return { path: '/problems', query: { ...region, closed_year: String(context.year) } }
    case 'answered_on_time':
      return { path: '/problems', query: { ...region, answered: 'on_time' } }
    case 'answered_late':
      return { path: '/problems', query: { ...region, answered: 'late' } }
    case 'closing_rate':
      // 办结率 = closed of registered: the closed ones behind its numerator.
      return { path: '/problems', query: { ...region, status: 'closed' } }
    case 'assistance_overdue':
      return { path: '/assistance', query: { ...region, overdue: 'true' } }
  }
}
