// Two-factor sign-in helpers shared by the login page and 账号安全.

/** Why a typed authenticator code cannot be right, or null. */
export function totpCodeProblem(code: string): string | null {
  const c = code.trim()
  if (!c) return '请输入验证码'
  if (!/^\d{6}$/.test(c)) return '验证码为 6 位数字'
  return null
}

/** Why a typed sign-in code (6 digits, or a recovery code like abcde-fghjk) cannot be right. */
export function signInCodeProblem(code: string): string | null {
  const c = code.replace(/[\s-]/g, '')
  if (!c) return '请输入验证码或恢复码'
  if (/^\d+$/.test(c)) return c.length === 6 ? null : '验证码为 6 位数字'
  if (!/^[a-z0-9]{10}$/i.test(c)) return '恢复码为 10 位字母和数字，如 abcde-fghjk'
  return null
}

/** The recovery codes as a text file to keep. */
export function recoveryCodesText(codes: readonly string[], username: string): string {
  return [
    `落地平台两步验证恢复码（账号：${username}）`,
    '每个恢复码只能使用一次；请妥善保管。',
    '',
    ...codes.map((c, i) => `${i + 1}. ${c}`),
    '',
  ].join('\n')
}
