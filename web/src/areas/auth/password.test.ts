import { describe, expect, it } from 'vitest'
import { passwordProblem } from './password'

describe('passwordProblem', () => {
  it('follows the default policy', () => {
    expect(passwordProblem('Luodi@2026')).toBeNull()
    expect(passwordProblem('Ab1!')).toBe('密码至少需要8个字符')
    expect(passwordProblem('abcdefgh1')).toMatch(/至少3类/)
    expect(passwordProblem('Nx_bureau1', 'nx_bureau')).toBe('密码不能包含用户名')
  })
})
