import { describe, expect, it } from 'vitest'
import {
  amountToInput,
  autoCloseDays,
  autoCloseExplanation,
  autoCloseSummary,
  bpToPercent,
  inputToAmount,
  percentToBp,
  unitOf,
} from './rules'

describe('thresholds as percentages', () => {
  it('turns basis points into the percentage typed, and back, exactly', () => {
    expect(bpToPercent(5000)).toBe('50')
    expect(bpToPercent(1250)).toBe('12.5')
    expect(bpToPercent(1)).toBe('0.01')
    expect(bpToPercent(0)).toBe('0')
    expect(percentToBp('50')).toBe(5000)
    expect(percentToBp('12.5')).toBe(1250)
    expect(percentToBp(' 20.00 ')).toBe(2000)
    expect(percentToBp('.5')).toBe(50)
  })
  it('refuses what is not a percentage with at most two decimals', () => {
    expect(percentToBp('')).toBeNull()
    expect(percentToBp('20%')).toBeNull()
    expect(percentToBp('-5')).toBeNull()
    expect(percentToBp('12.345')).toBeNull()
    expect(percentToBp('二十')).toBeNull()
  })
})

describe('tier amounts', () => {
  it('types 元 amounts in 亿元 and foreign capital in 万美元', () => {
    expect(inputToAmount('1', 'yi_yuan')).toBe(10_000_000_000)
    expect(inputToAmount('0.5', 'yi_yuan')).toBe(5_000_000_000)
    expect(inputToAmount('1,000', 'wan_usd')).toBe(1_000_000_000)
    expect(amountToInput(30_000_000_000, 'yi_yuan')).toBe('3')
    expect(amountToInput(1_000_000_000, 'wan_usd')).toBe('1000')
    expect(amountToInput(5_000_000_000, 'yi_yuan')).toBe('0.5')
  })
  it('refuses negative, unreadable or over-precise amounts', () => {
    expect(inputToAmount('-1', 'yi_yuan')).toBeNull()
    expect(inputToAmount('一亿', 'yi_yuan')).toBeNull()
    expect(inputToAmount('0.0000001', 'yi_yuan')).toBeNull()
    expect(inputToAmount('99999999999', 'yi_yuan')).toBeNull()
  })
  it('finds the unit of a condition kind', () => {
    const kinds = [
      { code: 'contract_at_least', unit: 'yi_yuan' },
      { code: 'foreign_at_least', unit: 'wan_usd' },
    ]
    expect(unitOf(kinds, 'foreign_at_least')).toBe('wan_usd')
    expect(unitOf(kinds, 'contract_at_least')).toBe('yi_yuan')
  })
})

describe('the automatic close', () => {
  it('sends null when off and the days when on', () => {
    expect(autoCloseDays(false, 5)).toBeNull()
    expect(autoCloseDays(true, 5)).toBe(5)
    expect(autoCloseDays(true, 0)).toBe(0)
    expect(autoCloseDays(true, 31)).toBe(31)
  })
  it('cannot read days outside 0 to 31 or left empty', () => {
    expect(autoCloseDays(true, 32)).toBeUndefined()
    expect(autoCloseDays(true, -1)).toBeUndefined()
    expect(autoCloseDays(true, 2.5)).toBeUndefined()
    expect(autoCloseDays(true, null)).toBeUndefined()
    expect(autoCloseDays(true, undefined)).toBeUndefined()
  })
  it('states the rule in force and what it does', () => {
    expect(autoCloseSummary(5)).toBe('自动月结：调度截止后第5天')
    expect(autoCloseSummary(0)).toBe('自动月结：调度截止当天')
    expect(autoCloseSummary(null)).toBe('自动月结：未开启，各月由商务部门人工月结')
    expect(autoCloseExplanation(5)).toContain('截止后第5天')
    expect(autoCloseExplanation(5)).toContain('按发起调度的商务部门的辖区')
    expect(autoCloseExplanation(null)).toMatch(/^未开启：各月只由各级商务部门在“通报”页面人工月结。开启后，每月的月度调度截止后第 N 天起/)
    expect(autoCloseExplanation(0)).toContain('截止当天起')
  })
})
