import { describe, expect, it } from 'vitest'
import {
  defaultDueOn,
  defaultPeriod,
  otherErrors,
  periodLabel,
  previousPeriodOf,
  problemError,
  progressPercent,
  reporterStatusTag,
  roundQuery,
  updateStatusLabel,
  updateStatusTag,
} from './dispatch'

describe('a round’s defaults', () => {
  it('reports on the month just ended, across a year end', () => {
    expect(defaultPeriod('2026-12-06')).toBe('2026-11')
    expect(defaultPeriod('2027-01-02')).toBe('2026-12')
  })
  it('is due on the 5th of the next month, or today once that has passed', () => {
    expect(defaultDueOn('2026-11', '2026-12-01')).toBe('2026-12-05')
    expect(defaultDueOn('2026-11', '2026-12-05')).toBe('2026-12-05')
    expect(defaultDueOn('2026-11', '2026-12-06')).toBe('2026-12-06')
    expect(defaultDueOn('2026-12', '2026-12-20')).toBe('2027-01-05')
    expect(defaultDueOn('2026-09', '2026-12-06')).toBe('2026-12-06')
  })
  it('names a month as officials write it', () => {
    expect(periodLabel('2026-03')).toBe('2026年3月')
    expect(periodLabel('2026-11')).toBe('2026年11月')
    expect(periodLabel('bad')).toBe('bad')
    expect(previousPeriodOf('2026-11')).toBe('2026年10月')
    expect(previousPeriodOf('2026-01')).toBe('2025年12月')
  })
  it('sends only the filters that are set', () => {
    expect(roundQuery({ region: null, q: '  ', keyOnly: false })).toEqual({})
    expect(roundQuery({ region: '430921', q: ' 调度 ', keyOnly: true })).toEqual({
      region: '430921',
      q: '调度',
      key_project: true,
    })
  })
})

describe('states', () => {
  it('colours the board’s reporter states', () => {
    expect(reporterStatusTag('已报')).toBe('success')
    expect(reporterStatusTag('已报（逾期）')).toBe('warning')
    expect(reporterStatusTag('填报中')).toBe('primary')
    expect(reporterStatusTag('逾期')).toBe('danger')
    expect(reporterStatusTag('退回')).toBe('danger')
    expect(reporterStatusTag('未开始')).toBe('info')
  })
  it('names and colours an update’s state, none being 未填报', () => {
    expect(updateStatusLabel('draft')).toBe('草稿')
    expect(updateStatusLabel('submitted')).toBe('已报')
    expect(updateStatusLabel('returned')).toBe('退回')
    expect(updateStatusLabel(null)).toBe('未填报')
    expect(updateStatusTag('submitted')).toBe('success')
    expect(updateStatusTag('returned')).toBe('danger')
    expect(updateStatusTag(undefined)).toBe('info')
  })
  it('measures progress without passing 100%', () => {
    expect(progressPercent(0, 0)).toBe(0)
    expect(progressPercent(1, 3)).toBe(33)
    expect(progressPercent(3, 3)).toBe(100)
    expect(progressPercent(4, 3)).toBe(100)
  })
})

describe('update form errors', () => {
  const errors = {
    progress: '报送前请填写本月进展',
    'problems[1].category': '问题类别应为用地、规划之一',
    'problems[0].text': '请填写问题内容',
    period: '2026-11没有调度轮次要求报送该项目的进展',
    status: '本月进展已报送',
  }
  it('finds the error of one problem’s field', () => {
    expect(problemError(errors, 1, 'category')).toContain('问题类别')
    expect(problemError(errors, 0, 'text')).toBe('请填写问题内容')
    expect(problemError(errors, 0, 'category')).toBe('')
  })
  it('lists the errors no field shows', () => {
    expect(otherErrors(errors)).toEqual(['2026-11没有调度轮次要求报送该项目的进展', '本月进展已报送'])
    expect(otherErrors({ problems: '存在问题不超过20条' })).toEqual([])
  })
})
