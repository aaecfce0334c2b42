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
