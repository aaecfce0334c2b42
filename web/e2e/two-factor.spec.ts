import { expect, test, type Page } from '@playwright/test'
import { TOTP } from 'otpauth'
import { PASSWORD, login, shot } from './helpers'

/** What an authenticator app holding `secret` shows at `at` (ms). */
function codeAt(secret: string, at: number): string {
  return new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: at })
}

const step = (at: number) => Math.floor(at / 30_000)

/**
 * A code the server has not seen yet: the server takes the current step and one either side,
 * but never a step at or before the last one used (`usedAt` is when that code was taken).
 */
function freshCode(secret: string, usedAt: number): string {
  const now = Date.now()
  return codeAt(secret, step(now) > step(usedAt) ? now : (step(usedAt) + 1) * 30_000)
}

async function passwordStep(page: Page, username: string) {
  await page.goto('/login')
  await page.getByLabel('用户名', { exact: true }).fill(username)
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: '登 录' }).click()
}

test('a bureau user binds an authenticator app and signs in with its code', async ({ page }) => {
  await login(page, 'hy_bureau')
  await page.goto('/security')
  await expect(page.getByText('两步验证', { exact: true })).toBeVisible()
  await page.getByTestId('two-factor-start').click()
  await expect(page.getByTestId('totp-qr')).toBeVisible()
  const secret = (await page.getByTestId('totp-secret').innerText()).trim()
  expect(secret).toMatch(/^[A-Z2-7]{32}$/)
  await shot(page, 'two-factor-01-enrol-qr')

  await page.getByTestId('totp-code').fill('000000' === codeAt(secret, Date.now()) ? '111111' : '000000')
  await page.getByTestId('totp-confirm').click()
  await expect(page.getByText('验证码不正确')).toBeVisible()

  const confirmedAt = Date.now()
  await page.getByTestId('totp-code').fill(codeAt(secret, confirmedAt))
  await page.getByTestId('totp-confirm').click()
  const codes = page.getByTestId('recovery-codes')
  await expect(codes).toBeVisible()
  await expect(codes.locator('li')).toHaveCount(10)
  await expect(codes).toContainText('只显示这一次')
  await shot(page, 'two-factor-02-recovery-codes')
  await page.getByTestId('recovery-codes-done').click()
  await expect(page.getByTestId('two-factor-on')).toBeVisible()
  await expect(page.getByText('剩余恢复码')).toBeVisible()
  await shot(page, 'two-factor-03-enabled')

  await page.getByRole('button', { name: '退出登录' }).click()
  await expect(page).toHaveURL(/\/login/)

  await passwordStep(page, 'hy_bureau')
  const codeInput = page.getByTestId('login-code')
  await expect(codeInput).toBeVisible()
  await expect(page.getByText('您的账号已启用两步验证')).toBeVisible()
  // The code that confirmed the binding was used: it does not sign in again.
  await codeInput.fill(codeAt(secret, confirmedAt))
  await page.getByRole('button', { name: '验 证' }).click()
  await expect(page.getByTestId('login-error')).toContainText('验证码不正确或已使用过')
  await shot(page, 'two-factor-04-code-step')

  await codeInput.fill(freshCode(secret, confirmedAt))
  await page.getByRole('button', { name: '验 证' }).click()
  await expect(page).toHaveURL(/\/$/)
  await expect(page.getByTestId('current-user')).toContainText('孟建国')
  await shot(page, 'two-factor-05-signed-in')
})

test('a role that requires it binds the app right after the password', async ({ page, request }) => {
  await login(page, 'admin')
  await page.goto('/security')
  const policy = page.locator('.el-card', { hasText: '两步验证要求' })
  await policy.getByText('督导组成员').click()
  await policy.getByRole('button', { name: '保存' }).click()
  await expect(page.getByText('已保存')).toBeVisible()
  await shot(page, 'two-factor-06-policy')
  try {
    await page.getByRole('button', { name: '退出登录' }).click()
    await passwordStep(page, 'yy_inspector')
    await expect(page.getByText('您的角色须使用两步验证登录')).toBeVisible()
    await expect(page.getByTestId('totp-qr')).toBeVisible()
    await shot(page, 'two-factor-07-forced-enrol')
    const secret = (await page.getByTestId('totp-secret').innerText()).trim()
    await page.getByTestId('totp-code').fill(codeAt(secret, Date.now()))
    await page.getByTestId('totp-confirm').click()
    await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10)
    await shot(page, 'two-factor-08-forced-recovery-codes')
    await page.getByTestId('recovery-codes-done').click()
    await expect(page).toHaveURL(/\/$/)
    await expect(page.getByTestId('current-user')).toContainText('方玉兰')
  } finally {
    // The other specs' accounts sign in with the password alone.
    const signIn = await request.post('/api/auth/login', { data: { username: 'admin', password: PASSWORD } })
    const { token } = await signIn.json()
    const reset = await request.put('/api/settings/two-factor', {
      data: { roles: [] },
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(reset.ok()).toBeTruthy()
  }
})
