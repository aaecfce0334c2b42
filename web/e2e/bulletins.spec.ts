import { readFileSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { login, openDialog, openMenu, pageShot, settled } from './helpers'

// 益阳市 closes September (月结), drafts the third quarter's bulletin from the closed figures,
// edits a paragraph, numbers it 益商通〔2026〕3号 and publishes it, then downloads the .docx
// and the .xlsx; 南县 finds it among its bulletins and reads it.
const NUMBER = '益商通〔2026〕3号'
const ADDED = '各县市区要对照目标任务，加快推动签约项目落地见效。'

async function switchUser(page: Page, username: string): Promise<void> {
  await page.context().clearCookies()
  await login(page, username)
}

async function pickOption(page: Page, name: string): Promise<void> {
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: name }).first().click()
}

test('a city closes September, publishes its quarterly bulletin and 南县 reads it', async ({ page }) => {
  test.setTimeout(180_000)
  let title = ''

  await test.step('益阳市 closes September', async () => {
    await login(page, 'yy_bureau')
    await openMenu(page, '通报')
    const month = page.getByTestId('close-month').locator('input').first()
    await month.click()
    await month.fill('2026年9月')
    await month.press('Enter')
    await page.getByTestId('close-month-button').click()
    await page.locator('.el-message-box:visible').getByRole('button', { name: '确定月结' }).click()
    await expect(page.getByTestId('closes-table')).toContainText('2026-09')
    await pageShot(page, 'bulletins-01-closed')
  })

  await test.step('益阳市 drafts the third quarter from the closed figures', async () => {
    await page.getByTestId('new-bulletin').click()
    const dialog = openDialog(page)
    await dialog.getByText('季度', { exact: true }).click()
    await dialog.getByTestId('draft-index').click()
    await pickOption(page, '2026年第三季度')
    await expect(dialog.locator('.el-alert')).toHaveCount(0)
    await pageShot(page, 'bulletins-02-draft-dialog')
    await dialog.getByTestId('draft-submit').click()
    await expect(page).toHaveURL(/\/bulletins\/\d+$/)
    await settled(page)
    await expect(page.getByTestId('bulletin-state')).toHaveText('草稿')
    await expect(page.getByTestId('prose-0')).toHaveValue(/^截至9月底，全市签约项目\d+个，合同资金/)
    await expect(page.getByTestId('ranking').locator('tr.el-table__row').first()).toBeVisible()
    title = await page.getByTestId('bulletin-title').inputValue()
    expect(title).toBe('关于益阳市2026年第三季度招商引资签约项目履约情况的通报')
  })

  await test.step('益阳市 edits the prose, numbers and publishes it', async () => {
    const first = page.getByTestId('prose-0')
    await first.fill(`${await first.inputValue()}${ADDED}`)
    await page.getByTestId('doc-number').fill(NUMBER)
    await page.getByTestId('save-bulletin').click()
    await expect(page.locator('.el-message--success').first()).toContainText('已保存')
    await pageShot(page, 'bulletins-03-edit')
    await page.getByTestId('publish-bulletin').click()
    await page.locator('.el-message-box:visible').getByRole('button', { name: '发布' }).click()
    await expect(page.getByTestId('bulletin-state')).toHaveText('已发布')
    await expect(page.getByTestId('published-number')).toHaveText(NUMBER)
    await expect(page.locator('.official')).toContainText(ADDED)
    await pageShot(page, 'bulletins-04-published')
  })

  await test.step('益阳市 downloads the Word document and the workbook', async () => {
    let downloading = page.waitForEvent('download')
    await page.getByTestId('download-docx').click()
    const docx = await downloading
    expect(docx.suggestedFilename()).toBe(`${title}.docx`)
    const docxBytes = readFileSync((await docx.path())!)
    expect(docxBytes.subarray(0, 2).toString()).toBe('PK')
    downloading = page.waitForEvent('download')
    await page.getByTestId('download-xlsx').click()
    const xlsx = await downloading
    expect(xlsx.suggestedFilename()).toBe(`${title}.xlsx`)
    expect(readFileSync((await xlsx.path())!).subarray(0, 2).toString()).toBe('PK')
  })

  await test.step('南县 finds the city’s bulletin and reads it', async () => {
    await switchUser(page, 'nx_bureau')
    await openMenu(page, '通报')
    const row = page.getByTestId('bulletins-table').locator('tr.el-table__row', { hasText: NUMBER })
    await expect(row).toContainText(title)
    await expect(row.getByTestId('bulletin-status')).toHaveText('已发布')
    await pageShot(page, 'bulletins-05-county-list')
    await row.getByTestId('bulletin-link').click()
    await settled(page)
    await expect(page.getByTestId('published-number')).toHaveText(NUMBER)
    await expect(page.locator('.official')).toContainText(ADDED)
    await expect(page.getByTestId('save-bulletin')).toHaveCount(0)
    await pageShot(page, 'bulletins-06-county-reads')
  })
})
