import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'
import { login, openMenu, pickRegion, settled, shot } from './helpers'

const EXAMPLE =
  process.env.LUODI_UNITS_EXAMPLE ?? fileURLToPath(new URL('../../examples/nanxian-units.xlsx', import.meta.url))

test('the administrator previews the Nan county unit list before importing it', async ({ page }) => {
  test.skip(!existsSync(EXAMPLE), `${EXAMPLE} is missing`)
  await login(page, 'admin')
  await openMenu(page, '单位名录')
  await page.getByRole('button', { name: '导入' }).click()
  const dialog = page.locator('.el-dialog', { hasText: '导入单位名录' })
  await expect(dialog).toBeVisible()

  await pickRegion(page, dialog.locator('.el-cascader'), ['湖南省', '益阳市', '南县'])
  await expect(dialog.locator('.el-cascader input')).toHaveValue(/南县/)

  await dialog.locator('input[type=file]').setInputFiles(EXAMPLE)
  const preview = dialog.getByTestId('import-preview')
  await expect(preview).toBeVisible()
  await expect(preview).toContainText(/共 \d+ 行/)
  await settled(page)
  await shot(page, 'import-01-preview')
  // The demo data already holds Nan county's list, so every row is reported as a duplicate
  // and nothing may be committed.
  await expect(dialog.getByTestId('import-errors')).toContainText('已在该行政区划的名录中')
  await expect(dialog.getByRole('button', { name: '确认导入' })).toBeDisabled()
})

test('the administrator imports the list into a county that lacks it', async ({ page }) => {
  test.skip(!existsSync(EXAMPLE), `${EXAMPLE} is missing`)
  await login(page, 'admin')
  await openMenu(page, '单位名录')
  await page.getByRole('button', { name: '导入' }).click()
  const dialog = page.locator('.el-dialog', { hasText: '导入单位名录' })
  await pickRegion(page, dialog.locator('.el-cascader'), ['湖南省', '益阳市', '安化县'])
  await dialog.locator('input[type=file]').setInputFiles(EXAMPLE)
  const preview = dialog.getByTestId('import-preview')
  await expect(preview).toContainText('校验通过')
  await settled(page)
  await shot(page, 'import-02-preview-valid')
  await dialog.getByRole('button', { name: '确认导入' }).click()
  await expect(page.locator('.el-message--success')).toContainText(/已导入 \d+ 个单位/)
})
