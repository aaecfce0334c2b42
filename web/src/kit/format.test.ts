import { describe, expect, it } from 'vitest'
import {
  formatAmount,
  formatMoneyScaled,
  projectMoney,
  formatCentsWan,
  formatDate,
  formatDateTime,
  formatFenWan,
  formatMinorWan,
  formatMoneyWan,
  formatWanYuan,
  groupThousands,
  minorToNumber,
  minorToWanInput,
  parseWanToMinor,
  parseYuanToFen,
  percentValue,
} from './format'

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

describe('ledger amounts in minor units', () => {
  it('shows 分 as 万元 with separators, half up', () => {
    expect(formatFenWan(20_000_000_000)).toBe('20,000.00 万元')
    expect(formatFenWan(5_000_000_000n)).toBe('5,000.00 万元')
    expect(formatFenWan(4_999)).toBe('0.00 万元')
    expect(formatFenWan(5_000)).toBe('0.01 万元')
    expect(formatFenWan(0)).toBe('0.00 万元')
    expect(formatFenWan(null)).toBe('')
    expect(formatMinorWan(123_456_789_012_345)).toBe('123,456,789.01')
  })
  it('shows cents as 万美元 and picks the unit by currency', () => {
    expect(formatCentsWan(123_450_000)).toBe('123.45 万美元')
    expect(formatMoneyWan(1_000_000, 'USD')).toBe('1.00 万美元')
    expect(formatMoneyWan(1_000_000, 'CNY')).toBe('1.00 万元')
  })
  it('parses 万 into minor units exactly', () => {
    expect(parseWanToMinor('20000')).toBe(20_000_000_000n)
    expect(parseWanToMinor('20,000')).toBe(20_000_000_000n)
    expect(parseWanToMinor(' 5000.5 ')).toBe(5_000_500_000n)
    expect(parseWanToMinor('0.000001')).toBe(1n)
    expect(parseWanToMinor('.5')).toBe(500_000n)
    expect(parseWanToMinor('12.')).toBe(12_000_000n)
    expect(parseWanToMinor('0.1')).toBe(100_000n) // 0.1 is not 0.1 in binary floating point
    expect(parseWanToMinor('90071992547.409919')).toBe(90_071_992_547_409_919n)
    expect(parseWanToMinor('-3')).toBe(-3_000_000n)
  })
  it('refuses what is not an exact amount', () => {
    expect(parseWanToMinor('0.0000001')).toBeNull()
    expect(parseWanToMinor('1e5')).toBeNull()
    expect(parseWanToMinor('abc')).toBeNull()
    expect(parseWanToMinor('')).toBeNull()
    expect(parseWanToMinor('.')).toBeNull()
    expect(parseWanToMinor(null)).toBeNull()
  })
  it('keeps only amounts that survive as JSON numbers', () => {
    expect(minorToNumber(20_000_000_000n)).toBe(20_000_000_000)
    expect(minorToNumber(9_007_199_254_740_991n)).toBe(9_007_199_254_740_991)
    expect(minorToNumber(9_007_199_254_740_993n)).toBeNull()
    expect(minorToNumber(null)).toBeNull()
  })
  it('turns minor units back into input text', () => {
    expect(minorToWanInput(20_000_000_000)).toBe('20000')
    expect(minorToWanInput(5_000_500_000)).toBe('5000.5')
    expect(minorToWanInput(1)).toBe('0.000001')
    expect(minorToWanInput(null)).toBe('')
  })
  it('reads percentages for charts', () => {
    expect(percentValue('25.00%')).toBe(25)
    expect(percentValue(null)).toBeNull()
    expect(percentValue('—')).toBeNull()
  })
})

describe('amounts in their own currency and scale', () => {
  it('uses 亿 from one 亿 up and 万 below, in 元 or 美元', () => {
    expect(formatMoneyScaled(9_999_999_999, 'CNY')).toBe('10,000.00 万元')
    expect(formatMoneyScaled(10_000_000_000, 'CNY')).toBe('1.00 亿元')
    expect(formatMoneyScaled(1_234_567_890_123, 'CNY')).toBe('123.46 亿元')
    expect(formatMoneyScaled(619_200_000, 'USD')).toBe('619.20 万美元')
    expect(formatMoneyScaled(25_000_000_000, 'USD')).toBe('2.50 亿美元')
  })
  it('shows a project in each currency it has, never 0.00 for a foreign-only one', () => {
    expect(projectMoney(0, 619_200_000)).toEqual(['619.20 万美元'])
    expect(projectMoney(20_000_000_000, 0)).toEqual(['2.00 亿元'])
    expect(projectMoney(5_000_000, 100_000)).toEqual(['5.00 万元', '0.10 万美元'])
    expect(projectMoney(0, 0)).toEqual(['—'])
  })
})
