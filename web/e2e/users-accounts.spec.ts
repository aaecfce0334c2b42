import { expect, test, type Page } from '@playwright/test'
import { login, openMenu, pickRegion, settled, shot, sideMenu } from './helpers'

async function findUser(page: Page, username: string) {
  await page.getByPlaceholder('用户名 / 姓名 / 电话').fill(username)
  await page.getByRole('button', { name: '查询' }).click()
  await settled(page)
  const row = page.getByTestId('users-table').locator('tr.el-table__row', { hasText: username })
  await expect(row.first()).toBeVisible()
  // The fixed operations column is rendered in a separate table body; find the row by index.
  return row.first()
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: '退出登录' }).click()
  await expect(page).toHaveURL(/\/login/)
}

test('an administrator resets a password and the user must change it at next login', async ({ page }) => {
  await login(page, 'admin')
  await openMenu(page, '用户管理')
  const row = await findUser(page, 'nx_leader')
  await row.getByRole('button', { name: '重置密码' }).click()
  const box = page.locator('.el-message-box')
  await box.locator('input').fill('Temp#2026ab')
  await box.getByRole('button', { name: '重置' }).click()
  await expect(page.locator('.el-message--success')).toContainText('密码已重置')
  await signOut(page)

  await page.getByPlaceholder('用户名').fill('nx_leader')
  await page.getByPlaceholder('密码').fill('Temp#2026ab')
  await page.getByRole('button', { name: '登 录' }).click()
  await expect(page).toHaveURL(/\/password$/)
  await expect(page.getByText('请先修改密码')).toBeVisible()
  await shot(page, 'accounts-01-forced-password-change')

  // Other pages stay closed until the password is changed.
  await page.goto('/units')
  await expect(page).toHaveURL(/\/password$/)

  await page.getByLabel('原密码').fill('Temp#2026ab')
  await page.getByLabel('新密码', { exact: true }).fill('Luodi@2027x')
  await page.getByLabel('确认新密码').fill('Luodi@2027x')
  await page.getByRole('button', { name: '修改密码' }).click()
  await expect(page).toHaveURL(/\/$/)
  await expect(page.getByTestId('scope-name')).toContainText('南县')
})

test('repeated wrong passwords lock the account with a Chinese message, and an administrator unlocks it', async ({
  page,
}) => {
  await page.goto('/login')
  await page.getByPlaceholder('用户名').fill('yj_unit')
  const error = page.getByTestId('login-error')
  let locked = false
  for (let attempt = 0; attempt < 10 && !locked; attempt++) {
    await page.getByPlaceholder('密码').fill(`wrong-${attempt}`)
    await page.getByRole('button', { name: '登 录' }).click()
    await expect(error).toBeVisible()
    await expect(page.getByRole('button', { name: '登 录' })).toBeEnabled()
    locked = (await error.innerText()).includes('锁定')
  }
  expect(locked).toBe(true)
  await shot(page, 'accounts-02-locked')

  await login(page, 'admin')
  await openMenu(page, '用户管理')
  const row = await findUser(page, 'yj_unit')
  await expect(row).toContainText('已锁定')
  await shot(page, 'accounts-03-locked-user')
  await row.getByRole('button', { name: '解锁' }).click()
  await expect(page.locator('.el-message--success')).toContainText('已解锁')
  await settled(page)
  await expect(row).not.toContainText('已锁定')
})

test('an administrator creates a unit account inside a county', async ({ page }) => {
  await login(page, 'admin')
  await openMenu(page, '用户管理')
  await page.getByRole('button', { name: '新建用户' }).click()
  const dialog = page.locator('.el-dialog', { hasText: '新建用户' })
  await dialog.getByLabel('用户名').fill('nx_e2e_unit')
  await dialog.getByLabel('姓名').fill('测试联络员（南县）')
  await dialog.locator('.el-form-item', { hasText: '角色' }).locator('.el-select').click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '责任单位' }).click()
  await pickRegion(page, dialog.locator('.el-form-item', { hasText: '所属行政区划' }).locator('.el-cascader'), [
    '湖南省',
    '益阳市',
    '南县',
  ])
  await dialog.locator('.el-form-item', { hasText: '所属单位' }).locator('.el-select').click()
  const firstUnit = page.locator('.el-select-dropdown:visible .el-select-dropdown__item').first()
  await expect(firstUnit).toBeVisible()
  const unitName = (await firstUnit.locator('span').first().innerText()).trim()
  await firstUnit.click()
  await dialog.getByLabel('初始密码').fill('E2e#Pass2026')
  await shot(page, 'accounts-04-create-user')
  await dialog.getByRole('button', { name: '保存' }).click()
  await expect(page.locator('.el-message--success')).toContainText('用户已创建')

  const row = await findUser(page, 'nx_e2e_unit')
  await expect(row).toContainText('责任单位')
  await expect(row).toContainText('南县')
  await expect(row).toContainText(unitName)
  await expect(row).toContainText('待改密')

  // The administrator reads no audit log (三权分立); the county's auditor sees the new account
  // field by field (the newest entry carrying snapshots).
  await expect(sideMenu(page)).not.toContainText('审计日志')
  await signOut(page)
  await login(page, 'nx_auditor')
  await expect(sideMenu(page)).not.toContainText('规则设置')
  await openMenu(page, '审计日志')
  await page.getByTestId('audit-table').getByRole('button', { name: '变更' }).first().click()
  await expect(page.getByTestId('audit-diff')).toContainText('nx_e2e_unit')
  await page.locator('.el-message').evaluateAll((els) => els.forEach((e) => e.remove()))
  await shot(page, 'admin-07-audit-diff')
})
