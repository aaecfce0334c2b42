import { describe, expect, it } from 'vitest'
import { allowed, visibleMenu } from './menu'

const titles = (perms: string[]) => visibleMenu(perms).map((m) => m.title)

describe('visibleMenu', () => {
  it('gives a county bureau without user or audit rights only the shared pages', () => {
    expect(titles(['read_units'])).toEqual(['工作台', '角色权限', '单位名录', '行政区划', '修改密码'])
  })
  it('gives an administrator every page', () => {
    expect(titles(['manage_users', 'read_users', 'manage_units', 'read_units', 'read_audit'])).toEqual([
      '工作台',
      '用户管理',
      '角色权限',
      '单位名录',
      '行政区划',
      '审计日志',
      '修改密码',
    ])
  })
  it('hides permission-bound pages from a user with none', () => {
    expect(titles([])).toEqual(['工作台', '角色权限', '行政区划', '修改密码'])
  })
  it('does not treat manage_users as implying read_users', () => {
    expect(titles(['manage_users'])).not.toContain('用户管理')
  })
})

describe('allowed', () => {
  it('lets open routes through and checks bound ones', () => {
    expect(allowed([], undefined)).toBe(true)
    expect(allowed(['read_audit'], 'read_audit')).toBe(true)
    expect(allowed(['read_units'], 'read_audit')).toBe(false)
  })
})
