// Client-side mirror of the server's default password policy, so the form can say what is
// wrong before submitting. The server remains the judge.

export function passwordProblem(password: string, username = ''): string | null {
  const length = [...password].length
  if (length < 8) return '密码至少需要8个字符'
  if (length > 128) return '密码不能超过128个字符'
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length
  if (classes < 3) return '密码须包含小写字母、大写字母、数字、符号中的至少3类'
  if (username && password.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名'
  return null
}

/** What the password page says when the server demands a change before anything else. */
export function forcedChangeReason(
  me: { must_change_password: boolean; password_expired?: boolean } | null | undefined,
): string | null {
  if (!me?.must_change_password) return null
  if (me.password_expired) return '您的密码已超过有效期，按规定须定期更换，请先修改密码后再使用系统。'
  return '首次登录或密码已被管理员重置，请先修改密码后再使用系统。'
}
