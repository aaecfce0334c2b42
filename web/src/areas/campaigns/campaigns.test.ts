import { describe, expect, it } from 'vitest'
import { hunanExample, phaseTag } from './campaigns'

describe('the Hunan example', () => {
  it('selects the two years before the campaign and keeps the seed phases in order', () => {
    const c = hunanExample(2020)
    expect(c.rule.any_of[0].event_years).toEqual([2018, 2019])
    expect(c.rule.any_of[1].fortune500).toBe(true)
    const ends = c.phases!.map((p) => p.ends_on)
    expect([...ends].sort()).toEqual(ends)
    expect(c.phases!.map((p) => p.name)).toEqual(['梳理摸底', '分片督导', '集中督导', '回头看'])
  })
})

describe('phase tags', () => {
  it('marks done, overdue and current phases', () => {
    expect(phaseTag('done', false, 'done')).toBe('success')
    expect(phaseTag('open', false, 'red')).toBe('danger')
    expect(phaseTag('open', true, 'yellow')).toBe('warning')
    expect(phaseTag('open', true, 'green')).toBe('primary')
    expect(phaseTag('open', false, 'green')).toBe('info')
  })
})
