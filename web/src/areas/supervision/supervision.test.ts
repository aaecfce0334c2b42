import { describe, expect, it } from 'vitest'
import { listTag, quarterLabel, quarterOf, shiftQuarter } from './supervision'

describe('supervision helpers', () => {
  it('names quarters and moves between them across years', () => {
    expect(quarterOf('2026-12-07')).toBe('2026-Q4')
    expect(quarterOf('2026-01-01')).toBe('2026-Q1')
    expect(quarterOf('2026-04-30')).toBe('2026-Q2')
    expect(shiftQuarter('2026-Q4', 1)).toBe('2027-Q1')
    expect(shiftQuarter('2026-Q1', -1)).toBe('2025-Q4')
    expect(quarterLabel('2026-Q4')).toBe('2026年第四季度')
  })

  it('colours an overdue list red and a late one yellow', () => {
    expect(listTag('overdue')).toBe('danger')
    expect(listTag('submitted_late')).toBe('warning')
    expect(listTag('submitted')).toBe('success')
    expect(listTag('pending')).toBe('info')
  })
})
