import { describe, expect, it } from 'vitest'
import { forcedChangeReason, passwordProblem } from './password'

describe('passwordProblem', () => {
  it('follows the default policy', () => {
    expect(passwordProblem('Luodi@2026')).toBeNull()
    expect(passwordProblem('Ab1!')).toBe('密码至少需要8个字符')
    expect(passwordProblem('abcdefgh1')).toMatch(/至少3类/)
    expect(passwordProblem('Nx_bureau1', 'nx_bureau')).toBe('密码不能包含用户名')
  })
})

describe('forcedChangeReason', () => {
  it('says why the password must be changed first', () => {
    expect(forcedChangeReason(null)).toBeNull()
    expect(forcedChangeReason({ must_change_password: false, password_expired: false })).toBeNull()
    expect(forcedChangeReason({ must_change_password: true, password_expired: false })).toMatch(/首次登录或密码已被管理员重置/)
    expect(forcedChangeReason({ must_change_password: true, password_expired: true })).toMatch(/超过有效期/)
  })
})
