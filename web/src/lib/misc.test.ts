import { describe, expect, it } from 'vitest'
import { filenameFromDisposition } from './download'
import { passwordProblem } from './password'
import { pathFromScope, subtreePrefix, withinRegion } from './region'
import { hasSubcategory } from './units'

describe('pathFromScope', () => {
  const path = [{ code: '430000' }, { code: '430900' }, { code: '430921' }]
  it('starts the cascader path at the user scope root', () => {
    expect(pathFromScope(path, ['430000'])).toEqual(['430000', '430900', '430921'])
    expect(pathFromScope(path, ['430900'])).toEqual(['430900', '430921'])
    expect(pathFromScope(path, ['430921'])).toEqual(['430921'])
  })
  it('refuses regions outside the scope', () => {
    expect(pathFromScope(path, ['430100'])).toBeNull()
  })
})

describe('passwordProblem', () => {
  it('follows the default policy', () => {
    expect(passwordProblem('Luodi@2026')).toBeNull()
    expect(passwordProblem('Ab1!')).toBe('密码至少需要8个字符')
    expect(passwordProblem('abcdefgh1')).toMatch(/至少3类/)
    expect(passwordProblem('Nx_bureau1', 'nx_bureau')).toBe('密码不能包含用户名')
  })
})

describe('filenameFromDisposition', () => {
  it('prefers the UTF-8 file name', () => {
    expect(
      filenameFromDisposition(
        `attachment; filename="units.xlsx"; filename*=UTF-8''%E5%8D%95%E4%BD%8D%E5%90%8D%E5%BD%95.xlsx`,
        'x.xlsx',
      ),
    ).toBe('单位名录.xlsx')
  })
  it('falls back to the plain name, then to the default', () => {
    expect(filenameFromDisposition('attachment; filename="units.xlsx"', 'x.xlsx')).toBe('units.xlsx')
    expect(filenameFromDisposition('attachment; filename=units.xlsx', 'x.xlsx')).toBe('units.xlsx')
    expect(filenameFromDisposition(null, 'x.xlsx')).toBe('x.xlsx')
  })
})

describe('hasSubcategory', () => {
  it('applies only to 责任招商单位', () => {
    expect(hasSubcategory('investment')).toBe(true)
    expect(hasSubcategory('landing')).toBe(false)
    expect(hasSubcategory(null)).toBe(false)
  })
})

describe('withinRegion', () => {
  it('takes the subtree by the code prefix of the level', () => {
    expect(subtreePrefix('430000')).toBe('43')
    expect(subtreePrefix('430900')).toBe('4309')
    expect(subtreePrefix('430921')).toBe('430921')
  })
  it('lets a city edit its counties but a county not the province', () => {
    expect(withinRegion('430921', '430900')).toBe(true)
    expect(withinRegion('430000', '430921')).toBe(false)
    expect(withinRegion('430181', '430900')).toBe(false)
    expect(withinRegion('430181', null)).toBe(true)
  })
})
