import { readFileSync } from 'node:fs'
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

// The organiser's other flows on one meeting, set up through the API: 益阳市 attaches the signed
// minutes and downloads them back, adds a decision for 南县's 县经济开发区 to the meeting,
// sends nx_unit's first result back (退回重办) and sees the second one done; two tabs of
// 益阳市 edit the meeting at once and the second save is refused with the Chinese message.
const SECOND = '益阳市重点项目推进调度会'
const ADDED = '协调县经济开发区标准厂房二期配套电力接入'
const FIRST_RESULT = '已与供电公司对接'
const SENT_BACK = '未说明接入时间，请补充供电方案批复和计划送电日期'
const SECOND_RESULT = '供电方案已批复，计划下月15日送电'
const SIGNED = { name: '调度会签字版纪要.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% 签字版纪要\n%%EOF\n') }

/** `days` after today in Beijing. */
function daysFromToday(days: number): string {
  const [y, m, d] = today().split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)
}

test('the organiser attaches files, adds a decision, sends a result back; a stale edit is refused', async ({ page }) => {
  test.setTimeout(180_000)
  await login(page, 'yy_bureau')
  const created = await page.request.post('/api/meetings', {
    data: {
      kind: 'dispatch',
      title: SECOND,
      held_on: today(),
      place: '市商务局五楼会议室',
      chair: '市商务局局长',
      attendees: '市商务局\n南县商务局',
      minutes: '会议调度了南县重点项目推进情况。',
      decisions: [{ content: '南县商务局牵头梳理重点项目要素保障需求', region_code: '430921', due_on: daysFromToday(20) }],
    },
  })
  expect(created.status(), await created.text()).toBe(201)
  const meetingId = (await created.json()).id as number

  async function openMeeting(p: Page): Promise<void> {
    await openMenu(p, '会议调度')
    await p.getByTestId('meetings-table').locator('tr.el-table__row', { hasText: SECOND }).getByTestId('meeting-link').click()
    await expect(p).toHaveURL(new RegExp(`/meetings/${meetingId}$`))
    await settled(p)
  }

  await test.step('益阳市 attaches the signed minutes and downloads them back', async () => {
    await openMeeting(page)
    const attachments = page.getByTestId('meeting-attachments')
    await expect(attachments).toContainText('暂无附件')
    await attachments.locator('input[type=file]').setInputFiles(SIGNED)
    await expect(page.locator('.el-message--success')).toContainText(`已上传：${SIGNED.name}`)
    const row = attachments.locator('tr.el-table__row', { hasText: SIGNED.name })
    await expect(row).toContainText(`${SIGNED.buffer.length} B`)
    await expect(row).toContainText('徐红梅')
    const downloading = page.waitForEvent('download')
    await row.getByTestId('attachment-link').click()
    const download = await downloading
    expect(download.suggestedFilename()).toBe(SIGNED.name)
    expect(readFileSync(await download.path())).toEqual(SIGNED.buffer)
    await pageShot(page, 'meetings-08-attachment')
  })

  await test.step('益阳市 adds a decision for 南县’s 县经济开发区 to the meeting', async () => {
    await page.getByTestId('add-decision').click()
    const dialog = page.getByTestId('add-decision-dialog')
    const row = dialog.locator('.el-table__body tr.el-table__row')
    await dialog.getByTestId('decision-content').fill(ADDED)
    // Nobody named yet: the server says so under the row.
    await dialog.getByTestId('add-decision-submit').click()
    await expect(row.getByTestId('decision-error')).toContainText('请选择承办单位或承办地区之一')
    await pickRegion(page, row.locator('.assignee .el-cascader'), ['益阳市', '南县'])
    await row.locator('.assignee .el-select').click()
    await page.keyboard.type('县经济开发区')
    await pickOption(page, '县经济开发区')
    await pageShot(page, 'meetings-09-add-decision')
    await dialog.getByTestId('add-decision-submit').click()
    await expect(page.locator('.el-message--success')).toContainText('议定事项已添加并交办')
    await expect(dialog).toBeHidden()
    const added = page.getByTestId('decisions-table').locator('tr.el-table__row', { hasText: ADDED })
    await expect(added).toContainText('县经济开发区')
    await expect(added.getByTestId('decision-status')).toHaveText('办理中')
    await expect(page.getByTestId('decisions-table').locator('tr.el-table__row')).toHaveCount(2)
  })

  const reportFromTasks = async (result: string) => {
    await switchUser(page, 'nx_unit')
    await openMenu(page, '我的待办')
    await page.getByTestId('tasks-table').locator('tr.el-table__row', { hasText: SECOND }).getByTestId('task-link').click()
    await settled(page)
    const decision = page.getByTestId('decisions-table').locator('tr.el-table__row')
    await expect(decision).toHaveCount(1)
    await expect(decision).toContainText(ADDED)
    await decision.getByTestId('report-decision').click()
    await openDialog(page).getByTestId('decision-act-text').fill(result)
    await openDialog(page).getByTestId('decision-act-submit').click()
    await expect(page.locator('.el-message--success')).toContainText('办理结果已报送')
    await expect(decision.getByTestId('decision-status')).toHaveText('已办结')
    return decision
  }

  await test.step('nx_unit reports; 益阳市 sends the result back (退回重办)', async () => {
    await reportFromTasks(FIRST_RESULT)
    await switchUser(page, 'yy_bureau')
    await openMeeting(page)
    const added = page.getByTestId('decisions-table').locator('tr.el-table__row', { hasText: ADDED })
    await expect(added.getByTestId('decision-result')).toHaveText(FIRST_RESULT)
    await added.getByTestId('return-decision').click()
    const dialog = page.getByTestId('decision-act-dialog')
    await expect(dialog.locator('.el-dialog__title')).toHaveText('退回重办')
    await dialog.getByTestId('decision-act-submit').click()
    await expect(dialog).toContainText('请填写退回原因')
    await dialog.getByTestId('decision-act-text').fill(SENT_BACK)
    await pageShot(page, 'meetings-10-send-back')
    await dialog.getByTestId('decision-act-submit').click()
    await expect(page.locator('.el-message--success')).toContainText('已退回重办，承办方将收到通知')
    await expect(added.getByTestId('decision-status')).toHaveText('退回重办')
    await expect(added.getByTestId('decision-result')).toHaveText(`退回：${SENT_BACK}`)
    await expect(added.getByTestId('return-decision')).toHaveCount(0)
    await pageShot(page, 'meetings-11-sent-back')
  })

  await test.step('nx_unit sees why in the bell and on the meeting, and reports again', async () => {
    await switchUser(page, 'nx_unit')
    const bell = page.getByTestId('bell')
    await bell.locator('button').click()
    await expect(page.getByTestId('bell-list')).toContainText(SENT_BACK)
    await page.keyboard.press('Escape')
    await openMenu(page, '我的待办')
    await page.getByTestId('tasks-table').locator('tr.el-table__row', { hasText: SECOND }).getByTestId('task-link').click()
    await settled(page)
    const decision = page.getByTestId('decisions-table').locator('tr.el-table__row')
    await expect(decision.getByTestId('decision-result')).toHaveText(`退回：${SENT_BACK}`)
    await expect(decision.getByTestId('decision-status')).toHaveText('退回重办')
    await pageShot(page, 'meetings-12-unit-sent-back')
    await decision.getByTestId('report-decision').click()
    await openDialog(page).getByTestId('decision-act-text').fill(SECOND_RESULT)
    await openDialog(page).getByTestId('decision-act-submit').click()
    await expect(decision.getByTestId('decision-status')).toHaveText('已办结')
    await expect(decision.getByTestId('decision-result')).toHaveText(SECOND_RESULT)
  })

  await test.step('two tabs of 益阳市 edit the meeting; the second save is refused and shows the first', async () => {
    await switchUser(page, 'yy_bureau')
    await openMeeting(page)
    const other = await page.context().newPage()
    await other.goto(`/meetings/${meetingId}`)
    await settled(other)

    await page.getByTestId('edit-meeting').click()
    await openDialog(page).getByTestId('meeting-place').fill('市政府二楼会议室')
    await openDialog(page).getByTestId('meeting-save').click()
    await expect(page.locator('.el-message--success')).toContainText('会议信息已保存')
    await expect(page.getByTestId('meeting-facts')).toContainText('市政府二楼会议室')

    await other.getByTestId('edit-meeting').click()
    await expect(openDialog(other).getByTestId('meeting-place')).toHaveValue('市商务局五楼会议室')
    await openDialog(other).getByTestId('meeting-chair').fill('分管副市长')
    await openDialog(other).getByTestId('meeting-save').click()
    await expect(other.locator('.el-message--error')).toContainText('该记录已被他人修改，请刷新后重试')
    await expect(openDialog(other)).toHaveCount(0)
    // The page shows what is stored now: the first tab's place, not this tab's chair.
    await expect(other.getByTestId('meeting-facts')).toContainText('市政府二楼会议室')
    await expect(other.getByTestId('meeting-facts')).toContainText('市商务局局长')
    await pageShot(other, 'meetings-13-stale-edit')
    await other.close()
  })
})
