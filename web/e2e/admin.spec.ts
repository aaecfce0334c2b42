import { expect, test } from '@playwright/test'
import { columnTexts, login, openMenu, shot, showAllRows, sideMenu } from './helpers'

test('the provincial administrator sees users across prefectures, and the auditor the audit log', async ({
  page,
}) => {
  await login(page, 'admin')
  const menu = sideMenu(page)
  await expect(menu).toContainText('用户管理')
  // 三权分立: administrators manage accounts, the security auditor reads the log.
  await expect(menu).not.toContainText('审计日志')
  await expect(page.getByTestId('scope-name')).toContainText('湖南')
  await shot(page, 'admin-01-dashboard')

  await openMenu(page, '用户管理')
  const users = page.getByTestId('users-table')
  await expect(users.locator('tr.el-table__row').first()).toBeVisible()
  await shot(page, 'admin-02-users')
  await showAllRows(page)
  const usernames = await columnTexts(users, '用户名')
  expect(usernames).toEqual(expect.arrayContaining(['nx_bureau', 'yy_bureau', 'cs_bureau']))
  const regions = new Set(await columnTexts(users, '所属区划'))
  expect(regions).toContain('益阳市')
  expect(regions).toContain('长沙市')

  await page.getByRole('button', { name: '新建用户' }).click()
  await expect(page.locator('.el-dialog')).toContainText('初始密码')
  await shot(page, 'admin-03-user-dialog')
  await page.locator('.el-dialog').getByRole('button', { name: '取消' }).click()

  await openMenu(page, '单位名录')
  await shot(page, 'admin-04-units')

  await openMenu(page, '行政区划')
  await shot(page, 'admin-05-regions')

  await page.getByRole('button', { name: '退出登录' }).click()
  await expect(page).toHaveURL(/\/login/)
  await login(page, 'hn_auditor')
  await expect(sideMenu(page)).not.toContainText('规则设置')
  await openMenu(page, '审计日志')
  const audit = page.getByTestId('audit-table')
  await expect(audit.locator('tr.el-table__row').first()).toBeVisible()
  // The log names the actor by username.
  const loginRow = audit.locator('tr.el-table__row', { hasText: '登录' }).filter({ hasText: 'admin' })
  await expect(loginRow.first()).toBeVisible()
  await shot(page, 'admin-06-audit')
})
