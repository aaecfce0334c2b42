import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'
import { login, openMenu, pageShot } from './helpers'

// fixtures/events-import.xlsx is made by crates/server/tests/api/e2e_fixtures.rs: two 南县
// county events of 2026, one naming its region, one giving the code.
const fixture = fileURLToPath(new URL('./fixtures/events-import.xlsx', import.meta.url))
const FIRST = '2026南县稻虾产业招商推介会（E2E导入）'
const SECOND = '2026南县电子信息产业专题招商会（E2E导入）'

test('a county bureau imports its year of signing events from a sheet', async ({ page }) => {
  await login(page, 'nx_bureau')
  await openMenu(page, '签约活动')
  await page.getByTestId('import-events').click()
  const dialog = page.getByTestId('events-import-dialog')
  await expect(dialog).toBeVisible()
  const downloading = page.waitForEvent('download')
  await dialog.getByTestId('sheet-template').click()
  expect((await downloading).suggestedFilename()).toBe('签约活动导入模板.xlsx')

  await dialog.locator('input[type=file]').setInputFiles(fixture)
  await expect(dialog.getByTestId('sheet-preview')).toContainText('共 2 行，有效 2 行，错误 0 处')
  const rows = dialog.getByTestId('events-import-rows')
  await expect(rows).toContainText(FIRST)
  await expect(rows).toContainText('2026-09-09')
  await expect(rows).toContainText('县级')
  await pageShot(page, 'events-import-01-preview')
  await dialog.getByTestId('sheet-commit').click()
  await expect(page.locator('.el-message--success')).toContainText('已导入 2 个签约活动')
  await expect(dialog).toBeHidden()
  const table = page.getByTestId('events-table')
  for (const name of [FIRST, SECOND]) await expect(table).toContainText(name)
  await pageShot(page, 'events-import-02-list')
})
