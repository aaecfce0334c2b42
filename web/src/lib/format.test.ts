import { describe, expect, it } from 'vitest'
import { formatAmount, formatDate, formatDateTime, formatWanYuan, groupThousands, parseYuanToFen } from './format'

describe('formatDateTime', () => {
  it('shows UTC timestamps in Beijing time', () => {
    expect(formatDateTime('2026-03-01T02:05:00Z')).toBe('2026-03-01 10:05')
    expect(formatDateTime('2026-12-31T16:30:59.123Z')).toBe('2027-01-01 00:30')
  })
  it('honours explicit offsets', () => {
    expect(formatDateTime('2026-03-01T10:05:00+08:00')).toBe('2026-03-01 10:05')
    expect(formatDateTime('2026-03-01T00:00:00-05:00')).toBe('2026-03-01 13:00')
  })
  it('takes zone-less timestamps as written', () => {
    expect(formatDateTime('2026-03-01 09:07:33')).toBe('2026-03-01 09:07')
    expect(formatDateTime('2026-03-01')).toBe('2026-03-01 00:00')
  })
  it('is empty for missing values and passes unknown text through', () => {
    expect(formatDateTime(null)).toBe('')
    expect(formatDateTime(undefined)).toBe('')
    expect(formatDateTime('不详')).toBe('不详')
  })
})

describe('formatDate', () => {
  it('keeps only the Beijing calendar date', () => {
    expect(formatDate('2026-03-01T17:00:00Z')).toBe('2026-03-02')
    expect(formatDate('2026-03-01')).toBe('2026-03-01')
  })
})

describe('amounts', () => {
  it('groups thousands', () => {
    expect(groupThousands('1234567')).toBe('1,234,567')
    expect(groupThousands('123')).toBe('123')
  })
  it('parses yuan into fen without floating point', () => {
    expect(parseYuanToFen('12345678901234567.89')).toBe(1234567890123456789n)
    expect(parseYuanToFen('1,000.5')).toBe(100050n)
    expect(parseYuanToFen('0.125')).toBe(13n)
    expect(parseYuanToFen('-3')).toBe(-300n)
    expect(parseYuanToFen(12.34)).toBe(1234n)
    expect(parseYuanToFen('abc')).toBeNull()
  })
  it('shows 万元 with two decimals, rounding half up', () => {
    expect(formatWanYuan('12345678')).toBe('1,234.57 万元')
    expect(formatWanYuan('50')).toBe('0.01 万元')
    expect(formatWanYuan('49')).toBe('0.00 万元')
    expect(formatWanYuan(0)).toBe('0.00 万元')
    expect(formatWanYuan(null)).toBe('')
  })
  it('switches to 亿元 from one hundred million yuan', () => {
    expect(formatAmount('99999999.99')).toBe('10,000.00 万元')
    expect(formatAmount('100000000')).toBe('1.00 亿元')
    expect(formatAmount('523000000000')).toBe('5,230.00 亿元')
    expect(formatAmount('-250000000')).toBe('-2.50 亿元')
  })
})
