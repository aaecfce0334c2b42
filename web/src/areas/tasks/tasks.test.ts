import { describe, expect, it } from 'vitest'
import { daysLeftText, lightLabel, lightRank, lightTag, taskKindLabel, taskLink } from './tasks'

describe('lights', () => {
  it('colours and names each light', () => {
    expect(lightTag('green')).toBe('success')
    expect(lightTag('yellow')).toBe('warning')
    expect(lightTag('red')).toBe('danger')
    expect(lightTag('done')).toBe('info')
    expect(lightTag(null)).toBe('info')
    expect(lightLabel('yellow')).toBe('临期')
    expect(lightLabel('done')).toBe('已完成')
    expect(lightLabel(undefined)).toBe('—')
  })
  it('ranks the most urgent first', () => {
    const lights = ['done', 'green', null, 'red', 'yellow'] as const
    expect([...lights].sort((a, b) => lightRank(a) - lightRank(b))).toEqual(['red', 'yellow', 'green', 'done', null])
  })
})

describe('daysLeftText', () => {
  it('counts down to the day, then counts the days overdue', () => {
    expect(daysLeftText({ status: 'open', days_left: 5 })).toBe('还剩 5 天')
    expect(daysLeftText({ status: 'open', days_left: 1 })).toBe('还剩 1 天')
    expect(daysLeftText({ status: 'open', days_left: 0 })).toBe('今天截止')
    expect(daysLeftText({ status: 'open', days_left: -2 })).toBe('逾期 2 天')
  })
  it('says a done task is done, whatever its day', () => {
    expect(daysLeftText({ status: 'done', days_left: -9 })).toBe('已完成')
    expect(daysLeftText({ status: 'done', days_left: 3 })).toBe('已完成')
  })
})

describe('tasks', () => {
  it('sends a round report to the round’s projects and names unknown kinds as they are', () => {
    expect(taskLink({ kind: 'dispatch_report', source_id: 7 })).toEqual({
      name: 'dispatch-round',
      params: { id: 7 },
      query: { tab: 'projects' },
    })
    expect(taskLink({ kind: 'supervision', source_id: 7 })).toBeNull()
    expect(taskKindLabel('dispatch_report')).toBe('月度调度报送')
    expect(taskKindLabel('supervision')).toBe('supervision')
  })
  it('sends a meeting decision to its meeting', () => {
    expect(taskLink({ kind: 'meeting_decision', source_id: 12 })).toEqual({ name: 'meeting', params: { id: 12 } })
    expect(taskKindLabel('meeting_decision')).toBe('会议交办事项')
    expect(taskLink({ kind: 'problem', source_id: 7 })).toEqual({ name: 'problem', params: { id: 7 } })
    expect(taskKindLabel('problem')).toBe('交办问题')
  })
  it("sends a visit's problem list to the visit", () => {
    expect(taskLink({ kind: 'visit_problem_list', source_id: 5 })).toEqual({ name: 'visit', params: { id: 5 } })
    expect(taskKindLabel('visit_problem_list')).toBe('督导问题清单')
  })
})
