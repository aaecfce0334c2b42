import { describe, expect, it } from 'vitest'
import { lastFinishedMonth, periodChoices, periodEnd, periodLabel } from './bulletins'

describe('bulletin periods', () => {
  it('are named as bureaus write them', () => {
    expect(periodLabel('quarter', 2026, 3)).toBe('2026年第三季度')
    expect(periodLabel('month', 2026, 9)).toBe('2026年9月')
    expect(periodLabel('half_year', 2026, 2)).toBe('2026年下半年')
    expect(periodLabel('year', 2026, 1)).toBe('2026年')
  })
  it('end in the month that must be closed', () => {
    expect(periodEnd('quarter', 2026, 3)).toBe('2026-09')
    expect(periodEnd('half_year', 2026, 1)).toBe('2026-06')
    expect(periodEnd('year', 2026, 1)).toBe('2026-12')
    expect(periodChoices('quarter', 2026)).toHaveLength(4)
  })
  it('close last month by default, across the new year', () => {
    expect(lastFinishedMonth(new Date(2026, 11, 7))).toBe('2026-11')
    expect(lastFinishedMonth(new Date(2027, 0, 3))).toBe('2026-12')
  })
})
