import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'
import { clearDuplicatePool, login, NO_CODE_REASON, openMenu, pageShot, pickRegion, settled } from './helpers'

// fixtures/fund-sheet-receipts.xlsx is made by crates/server/tests/api/e2e_fixtures.rs: 22 rows
// for the projects below, 50万元 each for 2026-11, each naming its receipt 回单01 … 回单22. The
// projects are signed in 长沙县 and reviewed by 长沙市, so none of the 益阳 figures of the other
// browser tests move.
const project = (i: number) => `长沙县E2E回单项目${String(i).padStart(2, '0')}`
const fixture = fileURLToPath(new URL('./fixtures/fund-sheet-receipts.xlsx', import.meta.url))
const receipt = (i: number) => ({
  name: `回单${String(i).padStart(2, '0')}.pdf`,
  mimeType: 'application/pdf',
  buffer: Buffer.from(`%PDF-1.4 回单${String(i).padStart(2, '0')}`),
})
const ALL = Array.from({ length: 22 }, (_, k) => k + 1)

test('a county sends the month with its receipts and the city confirms it in one batch', async ({ page }) => {
  test.setTimeout(180_000)
  await login(page, 'csx_bureau')
  for (const i of ALL) {
    const created = await page.request.post('/api/projects', {
      data: {
        name: project(i),
        investor_name: '长沙某科技有限公司',
        origin: 'in_province',
        contract_fen: 1_000 * 1_000_000,
        signed_on: '2026-05-10',
        region_code: '430121',
        stage: 'signed',
        credit_code_missing_reason: NO_CODE_REASON,
      },
    })
    expect(created.status()).toBe(201)
  }

  await test.step('the sheet and its receipts are checked together, then entered', async () => {
    await openMenu(page, '项目台账')
    await page.getByTestId('open-fund-import').click()
    const dialog = page.getByTestId('fund-import-dialog')
    await dialog.getByTestId('sheet-receipts').locator('input[type=file]').setInputFiles(ALL.map(receipt))
    await expect(dialog.getByTestId('sheet-receipts')).toContainText('回单22.pdf')
    await dialog.locator('.upload input[type=file]').setInputFiles(fixture)
    const preview = dialog.getByTestId('sheet-preview')
    await expect(preview).toContainText('共 22 行，有效 22 行，错误 0 处')
    await expect(dialog.getByTestId('fund-import-receipts')).toContainText('随表上传 22 个文件，22 行已匹配回单')
    await pageShot(page, 'funds-review-01-sheet-with-receipts')
    await dialog.getByTestId('sheet-commit').click()
    await expect(page.locator('.el-message--success')).toContainText('已填报 22 条到位记录')
  })

  await test.step('the city filters its queue to the county; page 2 shows each record’s own receipt', async () => {
    await page.context().clearCookies()
    await login(page, 'cs_bureau')
    await openMenu(page, '资金审核')
    const filters = page.getByTestId('review-filters')
    await pickRegion(page, filters.locator('.el-cascader'), ['长沙市', '长沙县'])
    await page.getByTestId('review-search').click()
    await settled(page)
    await expect(page.getByTestId('review-batch')).toContainText('共 22 条待审核')
    await page.locator('.el-pagination .el-pager li', { hasText: '2' }).click()
    await settled(page)
    const table = page.getByTestId('review-table')
    for (const i of [21, 22]) {
      const row = table.locator('tr.el-table__row', { hasText: project(i) })
      await expect(row).toContainText(receipt(i).name)
    }
    await expect(table).not.toContainText('回单01.pdf')
    await pageShot(page, 'funds-review-02-page-two-evidence')
  })

  await test.step('one batch confirms them all, each audited', async () => {
    // The county's 22 look-alike projects of one investor wait in the duplicate pool, and money
    // on a pooled project is not confirmed: the city clears them first.
    await expect(page.getByTestId('review-table').getByTestId('fund-in-pool').first()).toBeVisible()
    await clearDuplicatePool(page, '同一投资方在长沙县分别签约的不同项目，已逐一核实')
    await page.getByTestId('review-search').click()
    await settled(page)
    await page.getByTestId('batch-confirm-filtered').click()
    await page.locator('.el-message-box').getByRole('button', { name: '确认' }).click()
    await expect(page.locator('.el-message--success')).toContainText('已确认 22 条记录')
    await expect(page.getByTestId('review-batch')).toContainText('共 0 条待审核')
    await pageShot(page, 'funds-review-03-confirmed')
  })
})
