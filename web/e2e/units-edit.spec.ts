import { expect, test } from '@playwright/test'
import { login, openMenu, settled, shot } from './helpers'

test('a county bureau adds a unit to its directory and edits it', async ({ page }) => {
  await login(page, 'nx_bureau')
  await openMenu(page, '单位名录')
  await page.getByRole('button', { name: '新增单位' }).click()
  const dialog = page.locator('.el-dialog', { hasText: '新增单位' })
  await expect(dialog).toBeVisible()
  await expect(dialog.locator('.el-cascader input')).toHaveValue('南县')

  // Client-side validation first.
  await dialog.getByRole('button', { name: '保存' }).click()
  await expect(dialog).toContainText('请输入单位名称')

  await dialog.getByLabel('单位名称').fill('南县测试园区管委会')
  await dialog.getByText('项目落户地', { exact: true }).click()
  // A 项目落户地 stands for a zone of its county; its accounts then read the projects there.
  const zone = dialog.locator('.el-form-item', { hasText: '园区/乡镇' }).locator('.el-select__wrapper')
  await expect(zone).not.toHaveClass(/is-disabled/) // the county's zones have loaded
  await zone.click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '南县省级农业科技园区' }).click()
  await dialog.getByLabel('联系人').fill('王五')
  await dialog.getByLabel('联系电话').fill('0737-5200000')
  await shot(page, 'units-01-create-dialog')
  await dialog.getByRole('button', { name: '保存' }).click()
  await expect(page.locator('.el-message--success')).toContainText('单位已添加')

  await page.getByPlaceholder('单位名称 / 联系人').fill('南县测试园区')
  await page.getByRole('button', { name: '查询' }).click()
  await settled(page)
  const row = page.getByTestId('units-table').locator('tr.el-table__row', { hasText: '南县测试园区管委会' })
  await expect(row).toContainText('项目落户地')
  await expect(row).toContainText('南县省级农业科技园区')
  await expect(row).toContainText('王五')

  await row.getByRole('button', { name: '编辑' }).click()
  const edit = page.locator('.el-dialog', { hasText: '编辑单位' })
  await edit.getByLabel('联系人').fill('赵六')
  await edit.getByRole('button', { name: '保存' }).click()
  await expect(page.locator('.el-message--success').last()).toContainText('单位信息已保存')
  await expect(row).toContainText('赵六')
})
