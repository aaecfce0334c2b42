import { describe, expect, it } from 'vitest'
import { recoveryCodesText, signInCodeProblem, totpCodeProblem } from './twoFactor'

describe('two-factor codes as typed', () => {
  it('takes six digits from the app', () => {
    expect(totpCodeProblem(' 123456 ')).toBeNull()
    expect(totpCodeProblem('12345')).toContain('6 位数字')
    expect(totpCodeProblem('')).toContain('请输入')
  })

  it('takes a recovery code at sign-in, with or without the dash', () => {
    expect(signInCodeProblem('123456')).toBeNull()
    expect(signInCodeProblem('abcde-fghjk')).toBeNull()
    expect(signInCodeProblem('ABCDE FGHJK')).toBeNull()
    expect(signInCodeProblem('1234')).toContain('6 位数字')
    expect(signInCodeProblem('abc')).toContain('恢复码')
  })

  it('writes the codes numbered under the account name', () => {
    const text = recoveryCodesText(['aaaaa-bbbbb', 'ccccc-ddddd'], 'nx_admin')
    expect(text).toContain('账号：nx_admin')
    expect(text).toContain('2. ccccc-ddddd')
  })
})
