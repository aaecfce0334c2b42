import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'
import { login, NO_CODE_REASON, openMenu, pageShot, settled } from './helpers'

// fixtures/fund-sheet.xlsx is made by crates/server/tests/api/e2e_fixtures.rs (see there): one
// row typed in by hand — this project's full name, 2026-10, 300万元 of fixed-asset money. The
// project is signed in 浏阳市 by 长沙市商务局, so none of the 益阳 figures of the other browser
// tests move.
const PROJECT = '浏阳市烟花新材料产业园项目（E2E到位填报）'
const fixture = fileURLToPath(new URL('./fixtures/fund-sheet.xlsx', import.meta.url))

test('a city bureau reports a month of fund arrivals from a sheet and the province confirms them', async ({ page }) => {
  test.setTimeout(120_000)
  await login(page, 'cs_bureau')
  const created = await page.request.post('/api/projects', {
    data: {
      name: PROJECT,
      investor_name: '湖南某新材料有限公司',
      origin: 'in_province',
      contract_fen: 1_000 * 1_000_000,
      signed_on: '2026-06-18',
      region_code: '430181',
      stage: 'signed',
      credit_code_missing_reason: NO_CODE_REASON,
    },
  })
  expect(created.status()).toBe(201)

  await test.step('the month’s sheet lists the signed projects to fill in', async () => {
    await openMenu(page, '项目台账')
    await page.getByTestId('open-fund-import').click()
    const dialog = page.getByTestId('fund-import-dialog')
    await expect(dialog).toBeVisible()
    const period = dialog.locator('.el-date-editor input')
    await period.fill('2026-10')
    await period.press('Enter')
    const downloading = page.waitForEvent('download')
    await dialog.getByTestId('fund-sheet-template').click()
    expect((await downloading).suggestedFilename()).toBe('资金到位填报表_2026-10.xlsx')
  })

  await test.step('the filled-in sheet is checked row by row, then entered for review', async () => {
    const dialog = page.getByTestId('fund-import-dialog')
    await dialog.locator('.upload input[type=file]').setInputFiles(fixture)
    const preview = dialog.getByTestId('sheet-preview')
    await expect(preview).toContainText('共 1 行，有效 1 行，错误 0 处')
    const rows = dialog.getByTestId('fund-import-rows')
    await expect(rows).toContainText(PROJECT)
    await expect(rows).toContainText('浏阳市')
    await expect(rows).toContainText('300.00 万元')
    await expect(rows).toContainText('固定资产投资')
    await pageShot(page, 'fund-sheet-01-preview')
    await dialog.getByTestId('sheet-commit').click()
    await expect(page.locator('.el-message--success')).toContainText('已填报 1 条到位记录')
    await expect(dialog).toBeHidden()
  })

  await test.step('the province confirms it and the project’s rate moves', async () => {
    await page.context().clearCookies()
    await login(page, 'hn_bureau')
    await openMenu(page, '资金审核')
    const queue = page.getByTestId('review-table')
    const row = queue.locator('tr.el-table__row', { hasText: PROJECT })
    await expect(row).toContainText('300.00 万元')
    await row.getByRole('button', { name: '确认' }).click()
    await page.locator('.el-message-box').getByRole('button', { name: '确认' }).click()
    await expect(queue).not.toContainText(PROJECT)
    await openMenu(page, '项目台账')
    await page.getByPlaceholder('项目/投资方名称、信用代码').fill('E2E到位填报')
    await page.getByRole('button', { name: '查询' }).click()
    await settled(page)
    const ledger = page.getByTestId('projects-table').locator('tr.el-table__row', { hasText: PROJECT })
    await expect(ledger).toContainText('30.00%')
    await expect(ledger).toContainText('良好')
    await pageShot(page, 'fund-sheet-02-confirmed')
  })
})
