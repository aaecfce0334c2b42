import { describe, expect, it } from 'vitest'
import { daysLeftText } from '@/kit/format'
import { lightTag, STEPS } from './assistance'

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
