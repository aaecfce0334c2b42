import { readFileSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { creditCodeFor, login, openDialog, openMenu, pageShot, settled } from './helpers'

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

  await test.step('set-up through the API: projects of 南县 and 沅江市 with money confirmed for August', async () => {
    const records: { id: number; version: number }[] = []
    for (const [user, county, projects] of [
      ['nx_bureau', '430921', [['南县稻虾产业园项目', 20_000, 6_000], ['南县食品加工园项目', 10_000, 0]]],
      ['yyx_bureau', '430981', [['沅江船舶配套产业项目', 30_000, 3_000]]],
    ] as const) {
      await switchUser(page, user)
      for (const [name, contractWan, arrivedWan] of projects) {
        const created = await page.request.post('/api/projects', {
          data: {
            name,
            investor_name: `${name}投资有限公司`,
            origin: 'out_of_province',
            contract_fen: contractWan * 1_000_000,
            signed_on: '2026-02-16',
            region_code: county,
            stage: 'signed',
            investor_credit_code: creditCodeFor(name),
          },
        })
        expect(created.status(), await created.text()).toBe(201)
        if (!arrivedWan) continue
        const id = (await created.json()).project.id
        const entered = await page.request.post(`/api/projects/${id}/funds`, {
          data: { period: '2026-08', amount: arrivedWan * 1_000_000, currency: 'CNY', kind: 'fixed_asset', override_reason: '按银行回单录入' },
        })
        expect(entered.status(), await entered.text()).toBe(201)
        const record = await entered.json()
        records.push({ id: record.id, version: record.version })
      }
    }
    await switchUser(page, 'yy_bureau')
    for (const r of records) {
      const reviewed = await page.request.post(`/api/funds/${r.id}/review`, { data: { decision: 'confirm', version: r.version } })
      expect(reviewed.status(), await reviewed.text()).toBe(200)
    }
  })

  await test.step('益阳市 closes September', async () => {
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
    await expect(page.getByTestId('prose-0')).toHaveValue(/^截至9月底，全市签约项目3个，合同资金6\.00亿元，到位资金0\.90亿元，资金到位率15\.00%/)
    // by arrival rate: 南县 6,000 of 30,000 万元 (20%) before 沅江市 3,000 of 30,000 (10%)
    await expect(page.getByTestId('ranking').locator('tr.el-table__row').first()).toContainText('南县')
    await expect(page.getByTestId('ranking').locator('tr.el-table__row').nth(1)).toContainText('沅江市')
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
