import { expect, test, type Page } from '@playwright/test'
import { formItem, login, openDialog, openMenu, pageShot, pickRegion, settled } from './helpers'

// 益阳市 records a 联席会议 held today with two decisions — one for 南县's bureau, one for 南县's
// 县经济开发区 (nx_unit's unit) — after the server has named the row left without a unit; it
// downloads the minutes. nx_unit finds its decision in 我的待办, opens the meeting (seeing only
// its own decision) and reports the result; 益阳市 sees it 已办结.
const TITLE = '益阳市招商引资项目推进联席会议'
const TO_COUNTY = '协调解决南县稻虾产业园项目用地报批问题'
const TO_UNIT = '督促完成县经济开发区标准厂房交付'
const RESULT = '标准厂房已于本月完成竣工验收并交付使用'

/** Today in Beijing, as the server dates the meeting. */
function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
}

async function switchUser(page: Page, username: string): Promise<void> {
  await page.context().clearCookies()
  await login(page, username)
}

async function pickOption(page: Page, name: string): Promise<void> {
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: name }).first().click()
}

test('a city records a joint meeting, a unit reports its decision, the city sees it done', async ({ page }) => {
  test.setTimeout(180_000)

  await test.step('益阳市 records the meeting; a row without a unit is named by the server', async () => {
    await login(page, 'yy_bureau')
    await openMenu(page, '会议调度')
    await page.getByTestId('new-meeting').click()
    const dialog = openDialog(page)
    await expect(formItem(dialog, '会议日期').locator('input')).toHaveValue(today())
    await dialog.getByTestId('meeting-kind').click()
    await pickOption(page, '联席会议')
    await dialog.getByTestId('meeting-title').fill(TITLE)
    await dialog.getByTestId('meeting-place').fill('市政府三楼会议室')
    await dialog.getByTestId('meeting-chair').fill('分管副市长')
    await dialog.getByTestId('meeting-attendees').fill('市商务局\n南县人民政府\n南县经济开发区管委会')
    await dialog.getByTestId('meeting-minutes').fill('会议听取了南县重点招商项目推进情况汇报，研究了项目用地、厂房交付等问题。')

    // Row 1: 南县's bureau.
    const rows = dialog.locator('.el-table__body tr.el-table__row')
    const contents = dialog.getByTestId('decision-content')
    await contents.nth(0).fill(TO_COUNTY)
    await rows.nth(0).locator('.assignee').getByText('地区', { exact: true }).click()
    await pickRegion(page, rows.nth(0).locator('.assignee .el-cascader'), ['益阳市', '南县'])

    // Row 2: a unit, not chosen yet.
    await dialog.getByTestId('add-decision-row').click()
    await contents.nth(1).fill(TO_UNIT)
    await pickRegion(page, rows.nth(1).locator('.assignee .el-cascader'), ['益阳市', '南县'])
    await dialog.getByTestId('meeting-save').click()
    await expect(dialog.getByTestId('decision-rows-with-errors')).toContainText('第 2 项有误')
    await expect(rows.nth(1).getByTestId('decision-error')).toContainText('请选择承办单位或承办地区之一')
    await expect(rows.nth(0).getByTestId('decision-error')).toHaveCount(0)
    await pageShot(page, 'meetings-01-decision-error')

    await rows.nth(1).locator('.assignee .el-select').click()
    await page.keyboard.type('县经济开发区')
    await pickOption(page, '县经济开发区')
    await expect(rows.nth(1).getByTestId('decision-error')).toHaveCount(0)
    await pageShot(page, 'meetings-02-new-meeting')
    await dialog.getByTestId('meeting-save').click()
    await expect(page.locator('.el-message--success')).toContainText(`已录入“${TITLE}”，议定事项 2 项已交办`)
    await expect(page).toHaveURL(/\/meetings\/\d+$/)
    await expect(page.getByTestId('meeting-title')).toHaveText(TITLE)
    await expect(page.getByTestId('meeting-kind-label')).toHaveText('联席会议')
    const decisions = page.getByTestId('decisions-table')
    await expect(decisions.locator('tr.el-table__row', { hasText: TO_COUNTY })).toContainText('南县商务主管部门')
    await expect(decisions.locator('tr.el-table__row', { hasText: TO_UNIT })).toContainText('县经济开发区')
    await expect(decisions.getByTestId('decision-status')).toHaveText(['办理中', '办理中'])

    const downloading = page.waitForEvent('download')
    await page.getByTestId('download-minutes').click()
    const minutes = await downloading
    expect(minutes.suggestedFilename()).toBe(`${TITLE}纪要_${today()}.docx`)
    await pageShot(page, 'meetings-03-meeting')
  })

  await test.step('nx_unit finds the decision in 我的待办, opens the meeting and reports the result', async () => {
    await switchUser(page, 'nx_unit')
    await openMenu(page, '我的待办')
    const task = page.getByTestId('tasks-table').locator('tr.el-table__row', { hasText: TITLE })
    await expect(task).toContainText('会议交办事项')
    await pageShot(page, 'meetings-04-unit-tasks')
    await task.getByTestId('task-link').click()
    await expect(page).toHaveURL(/\/meetings\/\d+$/)
    await settled(page)
    await expect(page.getByTestId('assignee-note')).toBeVisible()
    const decisions = page.getByTestId('decisions-table').locator('tr.el-table__row')
    // Only its own decision: 南县's bureau's is not shown to a unit.
    await expect(decisions).toHaveCount(1)
    await expect(decisions).toContainText(TO_UNIT)
    await decisions.getByTestId('report-decision').click()
    const dialog = openDialog(page)
    await dialog.getByTestId('decision-act-submit').click()
    await expect(formItem(dialog, '办理结果')).toContainText('请填写办理结果')
    await dialog.getByTestId('decision-act-text').fill(RESULT)
    await dialog.getByTestId('decision-act-submit').click()
    await expect(page.locator('.el-message--success')).toContainText('办理结果已报送')
    await expect(decisions.getByTestId('decision-status')).toHaveText('已办结')
    await expect(decisions.getByTestId('report-decision')).toHaveCount(0)
    await pageShot(page, 'meetings-05-unit-reported')
  })

  await test.step('益阳市 sees the decision 已办结', async () => {
    await switchUser(page, 'yy_bureau')
    await openMenu(page, '会议调度')
    const listed = page.getByTestId('meetings-table').locator('tr.el-table__row', { hasText: TITLE })
    await expect(listed).toContainText('联席会议')
    await expect(listed).toContainText(today())
    await expect(listed.getByTestId('meeting-state')).toHaveText('已办结 1/2')
    await pageShot(page, 'meetings-06-list')
    await listed.getByTestId('meeting-link').click()
    await settled(page)
    const unitRow = page.getByTestId('decisions-table').locator('tr.el-table__row', { hasText: TO_UNIT })
    await expect(unitRow.getByTestId('decision-status')).toHaveText('已办结')
    await expect(unitRow.getByTestId('decision-result')).toHaveText(RESULT)
    await expect(unitRow.getByTestId('return-decision')).toBeVisible()
    await pageShot(page, 'meetings-07-done')
  })
})
