import { expect, test, type Page } from '@playwright/test'
import { formItem, login, openMenu, pageShot, settled, sideMenu } from './helpers'

async function saveRules(page: Page): Promise<void> {
  await page.getByRole('button', { name: '保存规则' }).click()
  await page.locator('.el-message-box').getByRole('button', { name: '保存' }).click()
}

test('the province administrator changes the classification thresholds and restores the defaults', async ({ page }) => {
  await login(page, 'admin')
  await openMenu(page, '规则设置')
  const definitions = page.getByTestId('rules-definitions')
  await expect(definitions).toContainText('默认规则')
  await expect(definitions).toContainText('优秀：资金到位率高于50%')
  await expect(definitions).toContainText('良好：资金到位率不低于20%、不高于50%')
  await expect(definitions).toContainText('境外资金：合同外资 ≥ 1000万美元，或省外境内资金：合同金额 ≥ 3亿元')
  await expect(page.getByTestId('tier-rule')).toHaveCount(5)
  await expect(page.getByTestId('tier-amount').first()).toHaveValue('1')
  await pageShot(page, 'rules-01-defaults')

  // 良好线 above 优秀线: the server refuses it under the field.
  const thresholds = page.getByTestId('thresholds-form')
  await page.getByTestId('good-input').fill('60')
  await saveRules(page)
  await expect(formItem(thresholds, '良好线')).toContainText('良好线须低于优秀线')
  await pageShot(page, 'rules-02-refused')

  await page.getByTestId('good-input').fill('30')
  await saveRules(page)
  await expect(page.locator('.el-message--success')).toContainText('台账规则已保存')
  await expect(definitions).toContainText('良好：资金到位率不低于30%、不高于50%')
  await expect(definitions).toContainText('第 1 版')
  await pageShot(page, 'rules-03-saved')

  // Back to the seed's rules, so that the other browser tests see the defaults.
  await page.getByRole('button', { name: '恢复默认' }).click()
  await expect(page.getByTestId('good-input')).toHaveValue('20')
  await saveRules(page)
  await expect(definitions).toContainText('良好：资金到位率不低于20%、不高于50%')
  await expect(definitions).toContainText('第 2 版')
})

test('the province administrator sets the automatic month-end close on the rules page', async ({ page }) => {
  await login(page, 'admin')
  await openMenu(page, '规则设置')
  const inForce = page.getByTestId('auto-close-now')
  const explanation = page.getByTestId('auto-close-explanation')
  await expect(inForce).toContainText('自动月结：未开启')
  await expect(explanation).toContainText('未开启：各月只由各级商务部门在“通报”页面人工月结')

  await page.getByTestId('auto-close-switch').click()
  const days = page.getByTestId('auto-close-days').locator('input')
  await expect(days).toHaveValue('5')
  await days.fill('3')
  await days.blur()
  await expect(explanation).toContainText('每月的月度调度截止后第3天起')
  await expect(explanation).toContainText('按发起调度的商务部门的辖区')
  await saveRules(page)
  await expect(page.locator('.el-message--success')).toContainText('台账规则已保存')
  await expect(inForce).toContainText('自动月结：调度截止后第3天')
  await pageShot(page, 'rules-05-auto-close')

  // Back to closing by hand only, so that the other browser tests see the defaults.
  await page.getByTestId('auto-close-switch').click()
  await expect(page.getByTestId('auto-close-days')).toHaveCount(0)
  await saveRules(page)
  await expect(inForce).toContainText('自动月结：未开启')
})

test('a county administrator reads the rules but may not change them', async ({ page }) => {
  await login(page, 'nx_admin')
  await expect(sideMenu(page)).toContainText('规则设置')
  await openMenu(page, '规则设置')
  await settled(page)
  await expect(page.getByTestId('rules-readonly')).toContainText('只有省级及以上的系统管理员可以修改')
  await expect(page.getByTestId('good-input')).toBeDisabled()
  await expect(page.getByTestId('auto-close-now')).toContainText('自动月结：未开启')
  await expect(page.getByTestId('auto-close-switch')).toHaveClass(/is-disabled/)
  await expect(page.getByRole('button', { name: '保存规则' })).toHaveCount(0)
  await pageShot(page, 'rules-04-read-only')
})
