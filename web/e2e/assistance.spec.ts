import { mkdirSync, readFileSync } from 'node:fs'
import { expect, test, type Locator, type Page } from '@playwright/test'
import { formItem, login, openDialog, openMenu, pageShot, settled } from './helpers'
import { sheetRows } from './xlsx'

// 南县's bureau lists 施工许可 in a project's 帮办清单 for 县经济开发区 (nx_unit's unit); nx_unit reports
// it done from 帮办清单, where it then shows done; the export downloads the list as .xlsx.
const PROJECT = '南县帮办清单测试新材料项目'
const CONTENT = '协助办理二期厂房施工许可证'
const RESULT = '施工许可证已于今日核发'

async function switchUser(page: Page, username: string): Promise<void> {
  await page.context().clearCookies()
  await login(page, username)
}

async function pickOption(page: Page, name: string): Promise<void> {
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: name }).first().click()
}

function itemRow(page: Page): Locator {
  return page.getByTestId('assistance-table').locator('tr.el-table__row', { hasText: CONTENT })
}

test('a bureau lists an assistance item that the responsible unit reports done', async ({ page }) => {
  await test.step('南县 lists the item on the project page', async () => {
    await login(page, 'nx_bureau')
    const created = await page.request.post('/api/projects', {
      data: { name: PROJECT, investor_name: '湖南某某新材料有限公司', origin: 'in_province', region_code: '430921', stage: 'negotiating' },
    })
    expect(created.status(), await created.text()).toBe(201)
    const id = (await created.json()).project.id as number
    await page.goto(`/projects/${id}`)
    await settled(page)
    await page.getByTestId('assistance-add').click()
    const dialog = openDialog(page)
    await dialog.getByTestId('assistance-step').click()
    await pickOption(page, '施工许可')
    await dialog.getByTestId('assistance-content').fill(CONTENT)
    await dialog.getByTestId('assistance-unit').click()
    await pickOption(page, '县经济开发区')
    await dialog.getByTestId('assistance-person').fill('王强')
    const due = formItem(dialog, '办理时限').locator('input').first()
    await due.click()
    await due.fill(new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10))
    await due.press('Enter')
    await dialog.getByTestId('assistance-save').click()
    await expect(dialog).toBeHidden()
    await expect(itemRow(page)).toContainText('县经济开发区')
  })

  await test.step('nx_unit reports it done from 帮办清单', async () => {
    await switchUser(page, 'nx_unit')
    await openMenu(page, '帮办清单')
    const row = itemRow(page)
    const button = row.getByTestId('assistance-complete')
    await expect(button).toBeVisible()
    // At 1440 px the button sits inside the card: not cut off, no scrolling to reach it.
    const [box, card] = await Promise.all([button.boundingBox(), page.getByTestId('assistance-table').boundingBox()])
    expect(box!.x + box!.width).toBeLessThanOrEqual(card!.x + card!.width)
    const scroll = await page
      .getByTestId('assistance-table')
      .locator('.el-scrollbar__wrap')
      .first()
      .evaluate((el) => el.scrollWidth - el.clientWidth)
    expect(scroll).toBeLessThanOrEqual(0)
    await pageShot(page, 'assistance-01-unit')
    await button.click()
    const box2 = page.locator('.el-message-box:visible')
    await box2.locator('textarea').fill(RESULT)
    await box2.getByRole('button', { name: '报送' }).click()
    // 只看未办结 is on: the item leaves the list.
    await expect(itemRow(page)).toHaveCount(0)
  })

  await test.step('the list shows it done, and the export downloads it', async () => {
    await page.getByText('只看未办结').click()
    await settled(page)
    await expect(itemRow(page)).toContainText('已办结')
    await expect(itemRow(page)).toContainText(RESULT)
    await expect(itemRow(page).getByTestId('assistance-complete')).toHaveCount(0)
    await pageShot(page, 'assistance-02-done')
    const downloading = page.waitForEvent('download')
    await page.getByTestId('export-assistance').click()
    const sheet = await downloading
    expect(sheet.suggestedFilename()).toBe('帮办清单.xlsx')
    mkdirSync('test-results/letters', { recursive: true })
    await sheet.saveAs('test-results/letters/帮办清单.xlsx')
    const rows = sheetRows(readFileSync('test-results/letters/帮办清单.xlsx'))
    expect(rows.some((r) => r.includes(CONTENT) && r.includes(RESULT))).toBe(true)
  })
})
