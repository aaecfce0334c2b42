import { expect, test } from '@playwright/test'
import { shot } from './helpers'

test('a wrong password is refused with a Chinese message', async ({ page }) => {
  await page.goto('/login')
  await expect(page.getByText('落地 · 招商引资项目履约落地平台')).toBeVisible()
  await page.getByPlaceholder('用户名').fill('nx_bureau')
  await page.getByPlaceholder('密码').fill('wrong-password')
  await page.getByRole('button', { name: '登 录' }).click()
  const error = page.getByTestId('login-error')
  await expect(error).toBeVisible()
  await expect(error).toContainText(/[\u4e00-\u9fa5]/)
  await expect(error).toContainText('密码')
  await expect(page).toHaveURL(/\/login/)
  await shot(page, 'login-01-wrong-password')
})

test('unknown pages ask for login first', async ({ page }) => {
  await page.goto('/units')
  await expect(page).toHaveURL(/\/login\?redirect=/)
})
