import { describe, expect, it } from 'vitest'
import {
  addDays,
  blankDecision,
  chineseDate,
  decisionError,
  decisionPayload,
  decisionStatusTag,
  defaultDueOn,
  isBlankDecision,
  meetingPayload,
  otherErrors,
  rowsWithErrors,
  type DecisionRow,
  type MeetingFields,
} from './meetings'

const row = (over: Partial<DecisionRow>): DecisionRow => ({ ...blankDecision('430900', '2026-12-31'), ...over })

describe('a decision as the API takes it', () => {
  it('names a unit or a region, never both', () => {
    expect(decisionPayload(row({ content: ' 协调用地 ', assignee: 'unit', region: '430921', unit_id: 7 }))).toEqual({
      content: '协调用地',
      unit_id: 7,
      region_code: null,
      project_id: null,
      due_on: '2026-12-31',
    })
    expect(decisionPayload(row({ content: '督促开工', assignee: 'region', region: '430921', unit_id: 7, project_id: 3 }))).toEqual({
      content: '督促开工',
      unit_id: null,
      region_code: '430921',
      project_id: 3,
      due_on: '2026-12-31',
    })
  })
  it('sends a unit row without a unit as naming no one, for the server to say so', () => {
    const p = decisionPayload(row({ content: 'x', assignee: 'unit', unit_id: null }))
    expect(p.unit_id).toBeNull()
    expect(p.region_code).toBeNull()
    expect(decisionPayload(row({ due_on: null })).due_on).toBe('')
  })
  it('knows a row nobody wrote in, whatever was prefilled', () => {
    expect(isBlankDecision(blankDecision('430900', '2026-12-31'))).toBe(true)
    expect(isBlankDecision(row({ content: ' ' }))).toBe(true)
    expect(isBlankDecision(row({ content: '协调' }))).toBe(false)
    expect(isBlankDecision(row({ unit_id: 4 }))).toBe(false)
    expect(isBlankDecision(row({ assignee: 'region', region: '430921' }))).toBe(false)
  })
})

describe('a meeting as the API takes it', () => {
  const fields: MeetingFields = {
    kind: 'joint',
    title: ' 第四季度联席会议 ',
    held_on: '2026-12-06',
    place: '  ',
    chair: '张三',
    attendees: '',
    minutes: '会议听取了项目推进情况',
  }
  it('trims text, sends blanks as null and the decisions with it', () => {
    const p = meetingPayload(fields, [row({ content: '协调', unit_id: 7 })])
    expect(p).toMatchObject({ kind: 'joint', title: '第四季度联席会议', held_on: '2026-12-06', place: null, chair: '张三', attendees: null })
    expect(p.decisions).toHaveLength(1)
    expect('version' in p).toBe(false)
  })
  it('sends the version read, and no decisions, when editing', () => {
    const p = meetingPayload(fields, [], 3)
    expect(p.version).toBe(3)
    expect(p.decisions).toEqual([])
  })
})

describe('server errors on the decisions table', () => {
  const errors = {
    title: '请填写会议名称',
    'decisions[1].due_on': '办理时限不能早于今天',
    'decisions[1].unit_id': '承办单位不存在、已停用或不在本级范围内',
    'decisions[0].region_code': '该地区不在本级范围内',
    'decisions[2].content': '请填写议定事项',
    decisions: '一次会议最多100项议定事项',
    version: '修改会议时须提交读取时的版本号',
  }
  it('puts each error on its row and field, unit and region on the one 承办 cell', () => {
    expect(decisionError(errors, 1, 'due_on')).toBe('办理时限不能早于今天')
    expect(decisionError(errors, 1, 'assignee')).toContain('承办单位不存在')
    expect(decisionError(errors, 0, 'assignee')).toBe('该地区不在本级范围内')
    expect(decisionError(errors, 0, 'due_on')).toBe('')
    expect(decisionError(errors, 2, 'content')).toBe('请填写议定事项')
  })
  it('lists the rows at fault, in order', () => {
    expect(rowsWithErrors(errors)).toEqual([0, 1, 2])
    expect(rowsWithErrors({ title: 'x' })).toEqual([])
  })
  it('lists the errors no field shows', () => {
    expect(otherErrors(errors)).toEqual(['一次会议最多100项议定事项', '修改会议时须提交读取时的版本号'])
  })
})

describe('display', () => {
  it('colours a decision by its state', () => {
    expect(decisionStatusTag({ status: 'done', result: '已完成' })).toBe('success')
    expect(decisionStatusTag({ status: 'open', result: '退回：未落实' })).toBe('danger')
    expect(decisionStatusTag({ status: 'open', result: null })).toBe('primary')
  })
  it('writes dates as the minutes do and counts days across months', () => {
    expect(chineseDate('2026-12-06')).toBe('2026年12月6日')
    expect(chineseDate('2026-01-20')).toBe('2026年1月20日')
    expect(addDays('2026-12-06', 30)).toBe('2027-01-05')
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
  })
  it('gives a new decision a month from the meeting, never a day already past', () => {
    expect(defaultDueOn('2026-12-06', '2026-12-06')).toBe('2027-01-05')
    expect(defaultDueOn('2026-10-01', '2026-12-06')).toBe('2026-12-06')
    expect(defaultDueOn(null, '2026-12-06')).toBeNull()
  })
})
