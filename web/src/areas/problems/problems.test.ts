import { describe, expect, it } from 'vitest'
import { deadlineText, letterTitle, sourceLabel, statusTag } from './problems'

describe('problems helpers', () => {
  it('reads deadlines as a bureau user says them', () => {
    expect(deadlineText('2026-12-10', '2026-12-07')).toBe('还剩 3 天')
    expect(deadlineText('2026-12-07', '2026-12-07')).toBe('今天截止')
    expect(deadlineText('2026-12-05', '2026-12-07')).toBe('逾期 2 天')
    expect(deadlineText(null, '2026-12-07')).toBe('')
  })
  it('names sources, letters and status colours', () => {
    expect(sourceLabel('update')).toBe('月度调度')
    expect(sourceLabel('direct')).toBe('直接登记')
    expect(sourceLabel('revisit')).toBe('回访登记')
    expect(letterTitle('supervise')).toBe('督办函')
    expect(letterTitle('assign')).toBe('交办函')
    expect(statusTag('in_progress')).toBe('warning')
    expect(statusTag('closed')).toBe('success')
  })
})
