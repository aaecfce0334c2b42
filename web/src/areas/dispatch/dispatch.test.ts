import { describe, expect, it } from 'vitest'
import {
  arrivalOf,
  batchUnchangedQuestion,
  blankMoney,
  closeRoundQuestion,
  defaultDueOn,
  MONTH_SHEET_FIELDS,
  monthRowProgress,
  monthSheetSummary,
  defaultPeriod,
  otherErrors,
  periodLabel,
  previousPeriodOf,
  problemError,
  progressPercent,
  reporterStatusTag,
  roundQuery,
  stageOf,
  unreportedProjects,
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
    // The money and stage fields show their own errors.
    expect(otherErrors({ 'arrival.amount': '到位金额须大于0', 'stage.changed_on': '不能晚于今天', unchanged: '不能同时' })).toEqual([
      '不能同时',
    ])
  })
})

describe('the month\'s money and stage in the update form', () => {
  it('sends an amount typed in 万 as minor units, and nothing when none is typed', () => {
    expect(arrivalOf(blankMoney())).toBeNull()
    expect(arrivalOf({ ...blankMoney(), amount: ' 100 ', note: ' 首期 ' })).toEqual({
      amount: 100_000_000,
      currency: 'CNY',
      kind: 'fixed_asset',
      note: '首期',
      override_reason: null,
    })
    expect(arrivalOf({ ...blankMoney('USD'), amount: '1,234.5' })).toMatchObject({ amount: 1_234_500_000, currency: 'USD' })
  })

  it('refuses an amount that is not a 万 figure before sending', () => {
    expect(arrivalOf({ ...blankMoney(), amount: '十万' })).toEqual({ error: '请输入以万元为单位的金额，最多6位小数' })
    expect(arrivalOf({ ...blankMoney('USD'), amount: '1.0000001' })).toEqual({ error: '请输入以万美元为单位的金额，最多6位小数' })
    expect(arrivalOf({ ...blankMoney(), amount: '0' })).toEqual({ error: '到位金额须大于0' })
  })

  it('asks for the date of a new stage', () => {
    expect(stageOf('', '')).toBeNull()
    expect(stageOf('started', '')).toEqual({ error: '请选择达到新阶段的日期' })
    expect(stageOf('started', '2026-11-03')).toEqual({ stage: 'started', changed_on: '2026-11-03' })
  })
})

describe('the month sheet', () => {
  const checked = { valid_rows: 3, skipped_rows: 0, unchanged_rows: 0, stage_changes: 0, fund_rows: 0 }
  it('says what a checked sheet will submit, naming only what it holds', () => {
    expect(monthSheetSummary(checked)).toBe('将报送 3 个项目')
    expect(monthSheetSummary({ ...checked, unchanged_rows: 2, skipped_rows: 1 })).toBe(
      '将报送 3 个项目（本月无变化 2 个）；未填写的 1 行本次不报送',
    )
    expect(monthSheetSummary({ ...checked, unchanged_rows: 1, stage_changes: 1, fund_rows: 2 })).toBe(
      '将报送 3 个项目（本月无变化 1 个，变更阶段 1 个，填报到位资金 2 笔）',
    )
    expect(monthSheetSummary({ ...checked, valid_rows: 0, skipped_rows: 4 })).toBe('将报送 0 个项目；未填写的 4 行本次不报送')
  })
  it('shows a row carried forward as such, and a filled row by its words', () => {
    expect(monthRowProgress({ unchanged: true, progress: '本月无变化。上月的话' })).toBe('本月无变化（沿用上月进展、问题和计划）')
    expect(monthRowProgress({ unchanged: false, progress: '完成厂房主体封顶' })).toBe('完成厂房主体封顶')
    expect(monthRowProgress({ unchanged: false, progress: null })).toBe('')
  })
  it('names every field the server checks in Chinese', () => {
    for (const field of ['round_id', 'project_id', 'unchanged', 'progress', 'problem_category', 'stage', 'changed_on', 'amount', 'receipt']) {
      expect(MONTH_SHEET_FIELDS[field], field).toMatch(/[\u4e00-\u9fa5]/)
    }
  })
})

describe('closing a round', () => {
  it('counts the projects not reported, never below none', () => {
    expect(unreportedProjects([])).toBe(0)
    expect(
      unreportedProjects([
        { projects: 3, submitted: 1 },
        { projects: 2, submitted: 2 },
        { projects: 1, submitted: 0 },
      ]),
    ).toBe(3)
    expect(unreportedProjects([{ projects: 1, submitted: 2 }])).toBe(0)
  })
  it('warns of what is left unreported before closing', () => {
    expect(closeRoundQuestion('2026年10月项目调度', 2)).toContain('尚有 2 个项目未报送，结束后将记为未报')
    expect(closeRoundQuestion('2026年10月项目调度', 0)).toContain('各项目均已报送')
    expect(closeRoundQuestion('2026年10月项目调度', 0)).toContain('“2026年10月项目调度”')
    expect(closeRoundQuestion('x', 0)).toContain('不再接受报送')
  })
  it('says what 本月无变化 for the chosen projects submits', () => {
    expect(batchUnchangedQuestion(30)).toContain('将所选 30 个项目报送为“本月无变化”')
    expect(batchUnchangedQuestion(1)).toContain('沿用上月进展、问题和计划')
  })
})
