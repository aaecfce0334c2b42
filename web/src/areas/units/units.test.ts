import { describe, expect, it } from 'vitest'
import { hasSubcategory } from './units'

describe('hasSubcategory', () => {
  it('applies only to 责任招商单位', () => {
    expect(hasSubcategory('investment')).toBe(true)
    expect(hasSubcategory('landing')).toBe(false)
    expect(hasSubcategory(null)).toBe(false)
  })
})
