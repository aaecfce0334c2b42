import { describe, expect, it } from 'vitest'
import type { MonthlyArrival, RateRow } from '@/api/types'
import { byContract, drillTo, monthlySeries, monthPeriod, monthsBefore, problemDrill, wan } from './leader'
import { linkedFilters, linkedLabels } from '@/areas/problems/problems'
import { linkedFilters as assistanceFilters } from '@/areas/assistance/assistance'

const month = (n: number, thisYear: number, lastYear: number) => ({
  month: n,
  this_year_fen: thisYear,
  last_year_fen: lastYear,
  this_year_cents: 0,
  last_year_cents: 0,
})

describe('leaders dashboard', () => {
  it('draws this year up to the month counted and last year whole, in 万元', () => {
    const m = {
      region_code: '430900',
      region_name: '益阳市',
      year: 2026,
      to: '2026-03',
      months: Array.from({ length: 12 }, (_, i) => month(i + 1, i === 2 ? 1_234_500_000 : 0, 100_000_000)),
      definitions: [],
    } as MonthlyArrival
    const s = monthlySeries(m)
    expect(s.months[0]).toBe('1月')
    expect(s.thisYear.slice(0, 4)).toEqual([0, 0, 1234.5, null])
    expect(s.lastYear[11]).toBe(100)
    expect(wan(1)).toBe(0)
    expect(wan(1_000_000)).toBe(1)
    expect(s.usd).toBeNull()
  })

  it('draws US dollars beside the 元, never added to them, when either year has any', () => {
    const months = Array.from({ length: 12 }, (_, i) => month(i + 1, 100_000_000, 100_000_000))
    months[1] = { ...months[1], last_year_cents: 250_000_000 }
    months[4] = { ...months[4], this_year_cents: 50_000_000 }
    const m = { region_code: '430900', region_name: '益阳市', year: 2026, to: '2026-04', months, definitions: [] } as MonthlyArrival
    const s = monthlySeries(m)
    expect(s.thisYear[1]).toBe(100)
    expect(s.usd?.lastYear[1]).toBe(250)
    // May is after the month counted: not drawn this year, in either currency
    expect(s.usd?.thisYear[4]).toBeNull()
    expect(s.usd?.thisYear[0]).toBe(0)
  })

  it('counts months back across the turn of the year', () => {
    expect(monthsBefore('2026-12-07', 6)).toBe('2026-06-01')
    expect(monthsBefore('2026-03-31', 6)).toBe('2025-09-01')
    expect(monthsBefore('2026-01-15', 12)).toBe('2025-01-01')
    expect(monthPeriod(2026, 3)).toBe('2026-03')
  })

  it('opens the list behind each chart, within the region shown', () => {
    const ctx = { region: '430900' }
    expect(drillTo('region', '430921', ctx)).toEqual({ path: '/projects', query: { region: '430921' } })
    expect(drillTo('industry', 'C', ctx)).toEqual({ path: '/projects', query: { region: '430900', industry: 'C' } })
    expect(drillTo('origin', 'foreign', { region: null })).toEqual({ path: '/projects', query: { origin: 'foreign' } })
    expect(drillTo('class', 'not_fulfilled', ctx)).toEqual({ path: '/projects', query: { region: '430900', not_fulfilled: 'true' } })
    expect(drillTo('class', 'good', ctx)).toEqual({ path: '/rates', query: { region: '430900' } })
    expect(drillTo('month', '2026-03', ctx)).toEqual({ path: '/rates', query: { region: '430900', as_of: '2026-03' } })
  })

  it('ranks groups with signed projects by contract amount', () => {
    const r = (code: string, projects: number, contract_fen: number) => ({ code, name: code, projects, contract_fen }) as RateRow
    expect(byContract([r('A', 1, 10), r('B', 0, 0), r('C', 2, 30)]).map((x) => x.code)).toEqual(['C', 'A'])
  })
})

describe('problems card', () => {
  it('opens each figure on the list it counts, in the region asked', () => {
    const ctx = { region: '430921', year: 2026 }
    expect(problemDrill('open', ctx)).toEqual({ path: '/problems', query: { region: '430921', open: 'true' } })
    expect(problemDrill('overdue', ctx)).toEqual({ path: '/problems', query: { region: '430921', overdue: 'true' } })
    expect(problemDrill('closed_in_year', ctx)).toEqual({ path: '/problems', query: { region: '430921', closed_year: '2026' } })
    expect(problemDrill('answered_on_time', ctx)).toEqual({ path: '/problems', query: { region: '430921', answered: 'on_time' } })
    expect(problemDrill('answered_late', ctx)).toEqual({ path: '/problems', query: { region: '430921', answered: 'late' } })
    expect(problemDrill('closing_rate', ctx)).toEqual({ path: '/problems', query: { region: '430921', status: 'closed' } })
    expect(problemDrill('assistance_overdue', ctx)).toEqual({ path: '/assistance', query: { region: '430921', overdue: 'true' } })
    // The whole scope: no region in the address.
    expect(problemDrill('open', { region: null, year: 2026 })).toEqual({ path: '/problems', query: { open: 'true' } })
  })

  it('gives the problem list the filters the figure was counted with', () => {
    const ctx = { region: '430921', year: 2026 }
    const figures = ['open', 'overdue', 'closed_in_year', 'answered_on_time', 'answered_late', 'closing_rate'] as const
    const read = figures.map((f) => linkedFilters((problemDrill(f, ctx) as { query: Record<string, string> }).query))
    expect(read).toEqual([
      { region: '430921', open: true },
      { region: '430921', overdue: true },
      { region: '430921', closed_year: 2026 },
      { region: '430921', answered: 'on_time' },
      { region: '430921', answered: 'late' },
      { region: '430921', status: 'closed' },
    ])
    expect(linkedLabels(read[2], '南县')).toEqual([
      { key: 'region', label: '地区：南县' },
      { key: 'closed_year', label: '2026年办结' },
    ])
    // Unknown or malformed values are left out.
    expect(linkedFilters({ status: 'lost', answered: 'never', closed_year: 'x', region: '43' })).toEqual({})
  })

  it('opens the 帮办 overdue figure on the overdue list of the same region', () => {
    const link = problemDrill('assistance_overdue', { region: '430921', year: 2026 }) as { query: Record<string, string> }
    expect(assistanceFilters(link.query)).toEqual({ overdue: true, region: '430921' })
  })
})
