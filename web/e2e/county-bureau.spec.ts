import { expect, test } from '@playwright/test'
import { columnTexts, login, openCascader, openMenu, shot, sideMenu } from './helpers'

test('a county bureau user sees only its county', async ({ page }) => {
  await login(page, 'nx_bureau')
  const me = await (await page.request.get('/api/auth/me')).json()

  // 工作台 scoped to 南县
  await expect(page.getByTestId('scope-name')).toContainText('南县')
  const menu = sideMenu(page)
  await expect(menu).toContainText('工作台')
  await expect(menu).toContainText('单位名录')
  await expect(menu).not.toContainText('审计日志')
  // 用户管理 follows the read_users permission the server grants the role.
  if (me.permissions.includes('read_users')) await expect(menu).toContainText('用户管理')
  else await expect(menu).not.toContainText('用户管理')
  await shot(page, 'county-01-dashboard')

  // The header region selector offers 南县 and nothing beside it.
  await page.getByTestId('region-selector').locator('.el-cascader').click()
  const roots = openCascader(page).locator('.el-cascader-menu').first().locator('.el-cascader-node')
  await expect(roots).toHaveCount(1)
  await expect(roots.first()).toContainText('南县')
  await shot(page, 'county-02-region-selector')
  await page.keyboard.press('Escape')

  // Units: only 南县's.
  await openMenu(page, '单位名录')
  const table = page.getByTestId('units-table')
  await expect(table.locator('tr.el-table__row').first()).toBeVisible()
  const regions = await columnTexts(table, '所属区划')
  expect(regions.length).toBeGreaterThan(0)
  expect(new Set(regions)).toEqual(new Set(['南县']))
  await expect(table).toContainText('南县')
  await shot(page, 'county-03-units')

  // 导出Excel downloads the list with the current filters.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '导出Excel' }).click(),
  ])
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/)

  await openMenu(page, '行政区划')
  await expect(page.getByTestId('region-tree')).toContainText('南县')
  await expect(page.locator('.el-breadcrumb')).toContainText('南县')
  await shot(page, 'county-04-regions')

  await openMenu(page, '角色权限')
  await expect(page.getByTestId('roles-table')).toContainText('商务主管部门')
  await shot(page, 'county-05-roles')

  await openMenu(page, '修改密码')
  await shot(page, 'county-06-password')

  if (me.permissions.includes('read_users')) {
    await openMenu(page, '用户管理')
    const regions = await columnTexts(page.getByTestId('users-table'), '所属区划')
    expect(new Set(regions)).toEqual(new Set(['南县']))
    await shot(page, 'county-07-users')
  }

  // Pages outside the role are not reachable by URL either.
  await page.goto('/audit')
  await expect(page).toHaveURL(/\/$/)
})
