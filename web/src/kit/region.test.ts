import { describe, expect, it } from 'vitest'
import { pathFromScope, subtreePrefix, withinRegion } from './region'

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
