import { describe, expect, it } from 'vitest'
import { daysLeftText } from '@/kit/format'
import { linkedFilters, listQuery, lightTag, STEPS } from './assistance'

describe('assistance steps', () => {
  it('lists the procedures of seed 003 in the order a project meets them', () => {
    expect(STEPS.slice(0, 3).map((s) => s.label)).toEqual(['企业注册', '项目立项', '土地预审'])
    expect(STEPS.find((s) => s.value === 'construction_permit')?.label).toBe('施工许可')
  })
})

describe('deadline lights', () => {
  it('colours and words a deadline', () => {
    expect(lightTag('red')).toBe('danger')
    expect(lightTag('yellow')).toBe('warning')
    expect(lightTag('done')).toBe('info')
    expect(daysLeftText(-2)).toBe('逾期 2 天')
    expect(daysLeftText(0)).toBe('今天截止')
    expect(daysLeftText(3)).toBe('还剩 3 天')
  })
})

describe('list filters', () => {
  it('reads the overdue list of a region from a link, and nothing it does not know', () => {
    expect(linkedFilters({ region: '430921', overdue: 'true' })).toEqual({ overdue: true, region: '430921' })
    expect(linkedFilters({ overdue: ['true'] })).toEqual({ overdue: true, region: undefined })
    expect(linkedFilters({ overdue: 'yes', region: '43' })).toEqual({ overdue: false, region: undefined })
  })

  it('asks the list and its export for the same items', () => {
    expect(listQuery({ overdue: true, openOnly: true, region: '430921' })).toEqual({ overdue: true, status: 'open', region: '430921' })
    // Unticked boxes send nothing: all items, open and done.
    expect(listQuery({ overdue: false, openOnly: false })).toEqual({ overdue: undefined, status: undefined, region: undefined })
  })
})
