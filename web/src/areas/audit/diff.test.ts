import { describe, expect, it } from 'vitest'
import { changedFields, diffSnapshots, displayValue, fieldLabel } from './diff'

describe('diffSnapshots', () => {
  it('marks changed, unchanged, added and removed fields', () => {
    const rows = diffSnapshots(
      { name: '南县商务局', phone: '0737-1', active: true, note: 'x' },
      { name: '南县商务局', phone: '0737-2', active: true, sort_order: 3 },
    )
    expect(rows).toEqual([
      { field: 'name', before: '南县商务局', after: '南县商务局', kind: 'unchanged' },
      { field: 'phone', before: '0737-1', after: '0737-2', kind: 'changed' },
      { field: 'active', before: true, after: true, kind: 'unchanged' },
      { field: 'note', before: 'x', after: undefined, kind: 'removed' },
      { field: 'sort_order', before: undefined, after: 3, kind: 'added' },
    ])
  })
  it('treats a creation as all fields added and a deletion as all removed', () => {
    expect(diffSnapshots(null, { a: 1 }).map((r) => r.kind)).toEqual(['added'])
    expect(diffSnapshots({ a: 1 }, null).map((r) => r.kind)).toEqual(['removed'])
    expect(diffSnapshots(null, null)).toEqual([])
  })
  it('compares nested values structurally and null as a value', () => {
    expect(changedFields({ tags: ['a'], unit_id: null }, { tags: ['a'], unit_id: null })).toEqual([])
    expect(changedFields({ tags: ['a'], unit_id: null }, { tags: ['a', 'b'], unit_id: 4 })).toEqual(['tags', 'unit_id'])
  })
})

describe('displayValue', () => {
  it('renders values for the diff table', () => {
    expect(displayValue(null)).toBe('（空）')
    expect(displayValue(undefined)).toBe('')
    expect(displayValue(false)).toBe('否')
    expect(displayValue(true)).toBe('是')
    expect(displayValue({ a: 1 })).toBe('{"a":1}')
    expect(displayValue(12)).toBe('12')
    expect(displayValue('2026-11-23T16:06:42.770Z')).toBe('2026-11-24 00:06')
    expect(displayValue('2026-11-23 是日期但不是时间戳')).toBe('2026-11-23 是日期但不是时间戳')
  })

  it('names coded values of known fields', () => {
    expect(displayValue('land_supplied', 'stage')).toBe('已供地')
    expect(displayValue('foreign', 'origin')).toBe('境外')
    expect(displayValue('fixed_asset', 'kind')).toBe('固定资产投资')
    expect(displayValue('land_supplied', 'note')).toBe('land_supplied')
    expect(displayValue('unknown_stage', 'stage')).toBe('unknown_stage')
  })
})

describe('fieldLabel', () => {
  it('names known fields in Chinese and leaves others alone', () => {
    expect(fieldLabel('contact_phone')).toBe('联系电话')
    expect(fieldLabel('mystery')).toBe('mystery')
  })
  it('names project fields, with the minor unit of stored amounts', () => {
    expect(fieldLabel('investor_credit_code')).toBe('统一社会信用代码')
    expect(fieldLabel('credit_code_missing_reason')).toBe('无代码原因')
    expect(fieldLabel('contract_fen')).toBe('合同资金（分）')
    expect(fieldLabel('responsible_unit')).toBe('责任单位')
  })
})
