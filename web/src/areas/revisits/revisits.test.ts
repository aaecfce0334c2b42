import { describe, expect, it } from 'vitest'
import { ratingLabel, sectionLabel, SECTIONS } from './revisits'

describe('revisit form', () => {
  it('has the six sections of the form, the last one unrated', () => {
    expect(SECTIONS.map((s) => s.label)).toEqual(['政策落实', '承诺兑现', '要素保障', '投资环境', '服务水平', '存在的困难和问题'])
    expect(SECTIONS.filter((s) => !s.rated).map((s) => s.value)).toEqual(['difficulties'])
    expect(sectionLabel('factors')).toBe('要素保障')
    expect(ratingLabel('fair')).toBe('基本满意')
    expect(ratingLabel(null)).toBe('—')
  })
})
