import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'
import { formItem, login, openDialog, openMenu, pageShot, settled, sideMenu } from './helpers'

// The two sheets are made, byte for byte reproducibly, by crates/server/tests/api/e2e_fixtures.rs:
//   LUODI_WRITE_FIXTURES=1 cargo test -p luodi-server --test api e2e_fixtures
// which also checks (without the variable) that the committed files are current. Their
// projects are still being negotiated (在谈/意向), so no signed-project figure of the other
// browser tests changes.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

const FIRST = '南县智能农机装备制造项目（E2E导入）'
// A re-entry of FIRST in traditional characters: raised as a copy (issue 19).
const SECOND = '南县智能農機裝備製造項目（E2E导入）'
const THIRD = '南县冷链物流园项目（E2E导入）'

test('a county bureau imports a ledger sheet, edits a project, and the city reviews a possible duplicate', async ({ page, browser }) => {
  test.setTimeout(120_000)
  await login(page, 'nx_bureau')

  await test.step('a sheet with mistakes is checked row by row and cannot be imported', async () => {
    await openMenu(page, '项目台账')
    await page.getByRole('button', { name: '导入' }).click()
    const dialog = page.locator('.el-dialog', { hasText: '导入项目台账' })
    await expect(dialog).toBeVisible()
    await dialog.locator('input[type=file]').setInputFiles(fixture('ledger-import-errors.xlsx'))
    const preview = dialog.getByTestId('sheet-preview')
    await expect(preview).toContainText('共 4 行，有效 2 行，错误 2 处')
    const errors = dialog.getByTestId('import-errors')
    await expect(errors.locator('tr.el-table__row')).toHaveCount(2)
    await expect(errors).toContainText('统一社会信用代码')
    await expect(errors).toContainText('校验位')
    await expect(errors).toContainText('落户地“沅江市”不是您管辖范围内的县级区划')
    await expect(dialog.getByRole('button', { name: '确认导入' })).toBeDisabled()
    await pageShot(page, 'ledger-import-01-errors')
  })

  await test.step('the corrected sheet previews clean and is imported', async () => {
    const dialog = page.locator('.el-dialog', { hasText: '导入项目台账' })
    await dialog.locator('input[type=file]').setInputFiles(fixture('ledger-import.xlsx'))
    const preview = dialog.getByTestId('sheet-preview')
    await expect(preview).toContainText('共 3 行，有效 3 行，错误 0 处')
    await expect(preview).toContainText('校验通过')
    const rows = dialog.getByTestId('import-rows')
    for (const name of [FIRST, SECOND, THIRD]) await expect(rows).toContainText(name)
    await expect(rows).toContainText('15,000.00')
    await pageShot(page, 'ledger-import-02-preview')
    await dialog.getByRole('button', { name: '确认导入' }).click()
    await expect(page.locator('.el-message--success')).toContainText('已导入 3 个项目')
    await expect(dialog).toBeHidden()
  })

  await test.step('the imported projects are in the ledger', async () => {
    await page.getByPlaceholder('项目/投资方名称、信用代码').fill('E2E导入')
    await page.getByRole('button', { name: '查询' }).click()
    await settled(page)
    const table = page.getByTestId('projects-table')
    for (const name of [FIRST, SECOND, THIRD]) await expect(table).toContainText(name)
    await expect(page.locator('.table-toolbar')).toContainText('共 3 个项目')
    await pageShot(page, 'ledger-import-03-list')
  })

  await test.step('a project is edited; its stage stays', async () => {
    await page.getByTestId('projects-table').getByRole('link', { name: THIRD }).click()
    await expect(page.getByTestId('project-name')).toHaveText(THIRD)
    await page.getByRole('button', { name: '编辑' }).click()
    const d = openDialog(page)
    await expect(d).toContainText('编辑项目')
    await expect(formItem(d, '项目名称').locator('input')).toHaveValue(THIRD)
    await expect(formItem(d, '合同资金').locator('input')).toHaveValue('6000')
    await expect(formItem(d, '项目阶段')).toContainText('阶段请通过“阶段变更”修改')
    await formItem(d, '合同资金').locator('input').fill('12500')
    await formItem(d, '责任人').locator('input').fill('赵敏')
    await formItem(d, '服务方案').locator('textarea').fill('冷链专班跟进用地预审。')
    await pageShot(page, 'ledger-import-04-edit-dialog')
    await d.getByRole('button', { name: '保存' }).click()
    await expect(page.locator('.el-message--success')).toContainText('项目信息已保存')
    await expect(openDialog(page)).toHaveCount(0)
    await expect(page.locator('.stats')).toContainText('12,500.00 万元')
    await expect(page.locator('.info, .fill').filter({ hasText: '责任人' })).toContainText('赵敏')
    await expect(page.locator('.head-tags')).toContainText('意向')
    await pageShot(page, 'ledger-import-05-edited')
  })

  await test.step('the two projects of one investor are reviewed in 重复核查, by the city above', async () => {
    await expect(sideMenu(page)).toContainText('重复核查')
    await openMenu(page, '重复核查')
    const table = page.getByTestId('duplicates-table')
    const pair = table.locator('tr.el-table__row', { hasText: SECOND })
    await expect(pair).toContainText(FIRST)
    await expect(pair).toContainText('同一投资方统一社会信用代码')
    // 南县 entered both: it may not clear its own pair.
    await expect(pair).toContainText('待上级核查')
    await expect(pair.getByRole('button', { name: '不是重复' })).toHaveCount(0)
    await pageShot(page, 'ledger-import-06-duplicates')

    const city = await browser.newPage()
    await login(city, 'yy_bureau')
    await openMenu(city, '重复核查')
    const cityTable = city.getByTestId('duplicates-table')
    const cityPair = cityTable.locator('tr.el-table__row', { hasText: SECOND })
    await cityPair.getByRole('button', { name: '不是重复' }).click()
    const d = openDialog(city)
    await expect(d).toContainText(SECOND)
    await d.getByRole('button', { name: '提交结论' }).click()
    await expect(formItem(d, '核查说明')).toContainText('须说明理由')
    await formItem(d, '核查说明').locator('textarea').fill('同一投资方分两期建设的两个项目，分别签约')
    await pageShot(city, 'ledger-import-07-decision')
    await d.getByRole('button', { name: '提交结论' }).click()
    await expect(city.locator('.el-message--success')).toContainText('已核查：不是重复')
    await expect(cityTable.locator('tr.el-table__row', { hasText: SECOND })).toHaveCount(0)

    await city.getByTestId('duplicate-status').getByText('不是重复').click()
    await settled(city)
    const decided = cityTable.locator('tr.el-table__row', { hasText: SECOND })
    await expect(decided).toContainText('同一投资方分两期建设的两个项目')
    await expect(decided).toContainText('徐红梅')
    await pageShot(city, 'ledger-import-08-decided')
  })
})
