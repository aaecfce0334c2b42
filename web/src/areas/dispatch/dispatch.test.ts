import { describe, expect, it } from 'vitest'
import {
  batchUnchangedQuestion,
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
