import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { actionCounter, formItem, login, openDialog, openMenu, pageShot, pickRegion, settled } from './helpers'
import { fillSheet, sheetRows } from './xlsx'

// 益阳市 opens a round over 南县 for three projects this test creates; 南县 fills one by hand
// and carries another forward (本月无变化); the city sees the board, reminds 南县 and returns
// the hand-filled update; 南县 sees the bell and 我的待办, corrects and resubmits. The
// projects are key projects still being negotiated (在谈), so a round selects them while no
// signed-project figure of the other browser tests moves, and the keyword keeps every other
// 南县 project out of the round.
const MARKER = 'E2E调度'
const PROJECTS = [`南县${MARKER}稻虾深加工项目`, `南县${MARKER}冷链仓储中心项目`, `南县${MARKER}光伏组件制造项目`]
const INVESTORS = ['湖南洞庭稻虾食品有限公司', '益阳南洲冷链物流有限公司', '湖南南县新能源科技有限公司']
const [FILLED, UNCHANGED, MISSING] = PROJECTS
const RETURN_REASON = '进展过于笼统，请补充本月完成投资额和形象进度'

/** The month `back` months before this one in Beijing, as the round names it: 2026年11月. */
function lastMonth(back = 1): { period: string; label: string } {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
  const [y, m] = today.split('-').map(Number)
  const months = y * 12 + (m - 1) - back
  const [year, month] = [Math.floor(months / 12), (months % 12) + 1]
  return { period: `${year}-${String(month).padStart(2, '0')}`, label: `${year}年${month}月` }
}

async function switchUser(page: Page, username: string): Promise<void> {
  await page.context().clearCookies()
  await login(page, username)
}

function projectRow(page: Page, name: string) {
  return page.getByTestId('round-projects').locator('tr.el-table__row', { hasText: name })
}

test('a city opens a round, a county reports, the city reminds and returns, the county sees it', async ({ page }) => {
  test.setTimeout(180_000)
  const { label } = lastMonth()
  const title = `${label}项目调度`

  await login(page, 'nx_bureau')
  for (const [i, name] of PROJECTS.entries()) {
    const created = await page.request.post('/api/projects', {
      data: { name, investor_name: INVESTORS[i], origin: 'in_province', region_code: '430921', stage: 'negotiating', key_project: true },
    })
    expect(created.status(), await created.text()).toBe(201)
  }

  await test.step('益阳市 opens a round for last month over 南县’s marked projects', async () => {
    await switchUser(page, 'yy_bureau')
    await openMenu(page, '月度调度')
    await page.getByTestId('open-round').click()
    const dialog = openDialog(page)
    await expect(formItem(dialog, '调度月份').locator('input')).toHaveValue(label)
    await expect(dialog.getByTestId('round-title')).toHaveAttribute('placeholder', title)
    await pickRegion(page, formItem(dialog, '落户地').locator('.el-cascader'), ['益阳市', '南县'])
    await dialog.getByTestId('round-keyword').fill(MARKER)
    await pageShot(page, 'dispatch-01-open-round')
    await dialog.getByTestId('round-open').click()
    await expect(page.locator('.el-message--success')).toContainText(`已开启“${title}”：3 个项目`)
    await expect(page).toHaveURL(/\/dispatch\/\d+/)
    await expect(page.getByTestId('round-title')).toHaveText(title)
    const board = page.getByTestId('board-table')
    const row = board.locator('tr.el-table__row', { hasText: '南县商务主管部门' })
    await expect(row).toContainText('3')
    await expect(row.getByTestId('reporter-status')).toHaveText('未开始')
    await expect(page.getByTestId('round-progress')).toContainText('已报 0 / 3')
    await pageShot(page, 'dispatch-02-board-opened')

    // The same month again is refused: one round per organiser and month.
    await openMenu(page, '月度调度')
    const rounds = page.getByTestId('rounds-table')
    const listed = rounds.locator('tr.el-table__row', { hasText: title })
    await expect(listed).toContainText('已报 0 / 3')
    await expect(listed).toContainText('本级组织')
    await expect(listed.getByTestId('round-light')).toHaveText(/正常|临期/)
    await page.getByTestId('open-round').click()
    await openDialog(page).getByTestId('round-keyword').fill(MARKER)
    await openDialog(page).getByTestId('round-open').click()
    await expect(formItem(openDialog(page), '调度月份')).toContainText(`本级已开启${lastMonth().period}的调度轮次`)
    await openDialog(page).getByRole('button', { name: '取消' }).click()
    await pageShot(page, 'dispatch-03-rounds')
  })

  await test.step('南县 fills one project by hand and carries another forward', async () => {
    await switchUser(page, 'nx_bureau')
    await openMenu(page, '月度调度')
    await page.getByTestId('rounds-table').getByRole('link', { name: title }).click()
    await settled(page)
    // A reporter lands on its projects.
    await expect(page.getByRole('tab', { name: /项目进展/ })).toHaveAttribute('aria-selected', 'true')
    await expect(page.getByTestId('round-projects').locator('tr.el-table__row')).toHaveCount(3)
    await expect(page.getByTestId('remind')).toHaveCount(0)

    await projectRow(page, FILLED).getByTestId('fill-update').click()
    const dialog = page.getByTestId('update-dialog')
    await expect(dialog.getByTestId('previous-update')).toContainText('上月没有报送记录')
    await dialog.getByTestId('update-progress').fill('完成项目可研报告编制，厂房设计方案已报规划部门审查')
    await dialog.getByTestId('add-problem').click()
    await dialog.getByTestId('problem-text').fill('项目用地指标尚未落实，影响供地进度')
    await dialog.getByTestId('problem-help').click()
    await dialog.getByTestId('update-next-steps').fill('下月完成土地报批，争取签订供地合同')
    // No category chosen: the server's message stands under the field.
    await dialog.getByTestId('submit-update').click()
    const problem = dialog.getByTestId('problem-row')
    await expect(problem.getByTestId('problem-error')).toContainText('问题类别应为')
    await expect(problem.locator('.el-form-item.is-error')).toHaveCount(1)
    await pageShot(page, 'dispatch-04-update-field-error')
    await problem.getByTestId('problem-category').click()
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '用地' }).click()
    await expect(problem.getByTestId('problem-error')).toHaveCount(0)
    await pageShot(page, 'dispatch-05-update-filled')
    await dialog.getByTestId('submit-update').click()
    await expect(page.locator('.el-message--success')).toContainText(`已报送：${FILLED}`)
    await expect(projectRow(page, FILLED).getByTestId('update-state')).toHaveText('已报')

    await projectRow(page, UNCHANGED).getByTestId('fill-update').click()
    await expect(dialog.getByTestId('previous-update')).toBeVisible()
    await dialog.getByTestId('submit-unchanged').click()
    await expect(projectRow(page, UNCHANGED).getByTestId('update-state')).toHaveText('已报')
    await expect(projectRow(page, MISSING).getByTestId('update-state')).toHaveText('未填报')
    await expect(page.getByTestId('round-progress')).toContainText('已报 2 / 3')
    await pageShot(page, 'dispatch-06-county-projects')

    // A submitted update reads back, and cannot be changed by its reporter.
    await projectRow(page, UNCHANGED).getByTestId('view-update').click()
    await expect(dialog).toContainText('本月无变化')
    await expect(dialog.getByTestId('submit-update')).toHaveCount(0)
    await pageShot(page, 'dispatch-07-unchanged-read-back')
    await dialog.getByRole('button', { name: '关闭', exact: true }).click()
  })

  await test.step('益阳市 sees the board, reminds 南县 and returns the hand-filled update', async () => {
    await switchUser(page, 'yy_bureau')
    await openMenu(page, '月度调度')
    await page.getByTestId('rounds-table').getByRole('link', { name: title }).click()
    await settled(page)
    const row = page.getByTestId('board-table').locator('tr.el-table__row', { hasText: '南县商务主管部门' })
    await expect(row.getByTestId('reporter-status')).toHaveText('填报中')
    await expect(page.getByTestId('round-progress')).toContainText('已报 2 / 3')

    await page.getByTestId('remind').click()
    await expect(page.locator('.el-message--success')).toContainText('已向 1 个未报齐的报送单位发送催报消息')
    await expect(page.getByTestId('remind-result')).toContainText('已催报 1 个报送单位')
    await pageShot(page, 'dispatch-08-board-reminded')

    await page.getByTestId('board-view').getByText('按县市区汇总').click()
    const county = page.getByTestId('county-table').locator('tr.el-table__row', { hasText: '南县' })
    await expect(county).toContainText('益阳市')
    await expect(county).toContainText('填报中')
    await pageShot(page, 'dispatch-09-board-counties')

    await page.getByRole('tab', { name: /项目进展/ }).click()
    await projectRow(page, FILLED).getByTestId('return-update').click()
    const dialog = page.getByTestId('return-dialog')
    await dialog.getByTestId('confirm-return').click()
    await expect(dialog).toContainText('请填写退回原因')
    await dialog.getByTestId('return-reason-input').fill(RETURN_REASON)
    await pageShot(page, 'dispatch-10-return-reason')
    await dialog.getByTestId('confirm-return').click()
    await expect(page.locator('.el-message--success')).toContainText(`已退回“${FILLED}”`)
    await expect(projectRow(page, FILLED).getByTestId('update-state')).toHaveText('退回')
    await expect(page.getByTestId('round-progress')).toContainText('已报 1 / 3')
    await pageShot(page, 'dispatch-11-returned')
  })

  await test.step('南县 sees the bell and 我的待办, corrects and resubmits', async () => {
    await switchUser(page, 'nx_bureau')
    const bell = page.getByTestId('bell')
    await expect(bell.locator('.el-badge__content')).toHaveText(/^[2-9]$|^\d{2,}/)
    await bell.locator('button').click()
    const list = page.getByTestId('bell-list')
    await expect(list).toContainText(`催报：“${title}”尚有1个项目未报送本月进展`)
    await expect(list).toContainText(`${FILLED} ${lastMonth().period}月度进展被退回：${RETURN_REASON}`)
    await pageShot(page, 'dispatch-12-bell')

    await page.getByTestId('bell-tasks').click()
    await settled(page)
    const task = page.getByTestId('tasks-table').locator('tr.el-table__row', { hasText: title })
    await expect(task).toContainText('报送3个项目的本月进展')
    await expect(task).toContainText('月度调度报送')
    await expect(task.getByTestId('days-left')).toHaveText(/还剩 \d+ 天|今天截止/)
    await expect(task.getByTestId('task-light')).toHaveText(/正常|临期/)
    await pageShot(page, 'dispatch-13-tasks')

    await task.getByTestId('task-link').click()
    await settled(page)
    await projectRow(page, FILLED).getByTestId('fill-update').click()
    const dialog = page.getByTestId('update-dialog')
    await expect(dialog.getByTestId('return-reason')).toContainText(RETURN_REASON)
    await expect(dialog.getByTestId('update-progress')).toHaveValue(/可研报告/)
    await dialog
      .getByTestId('update-progress')
      .fill('完成项目可研报告编制，本月完成投资 800 万元；厂房设计方案已报规划部门审查，场地平整完成六成')
    await pageShot(page, 'dispatch-14-returned-update')
    await dialog.getByTestId('submit-update').click()
    await expect(projectRow(page, FILLED).getByTestId('update-state')).toHaveText('已报')

    await bell.locator('button').click()
    await page.getByTestId('bell-read-all').click()
    await expect(bell.locator('.el-badge__content')).toBeHidden()
    await page.keyboard.press('Escape')
  })
})

// The month in one sheet. 益阳市 opens a round for the month before last over three more 南县
// projects (a month of its own: one round per organiser and month); 南县's clerk downloads the
// 月度调度表, fills it in as in Excel — two projects 本月无变化, one with its progress — sees a
// mistake named by row and column and the marked workbook, then uploads it once and confirms.
// The city sees 南县 as 已报, exports the board and closes the round. What the clerk does in the
// browser is counted as it happens, for docs/benchmarks.md (月度调度：基层填报负担).
const SHEET_MARKER = 'E2E月表'
const SHEET_PROJECTS = [`南县${SHEET_MARKER}菜籽油加工项目`, `南县${SHEET_MARKER}电商物流园项目`, `南县${SHEET_MARKER}农机装备制造项目`]
const SHEET_INVESTORS = ['湖南南洲粮油有限公司', '益阳南县供销电商有限公司', '湖南洞庭农机装备有限公司']
const SHEET_PROGRESS = '完成厂房主体封顶，本月完成投资 600 万元；设备招标已挂网'
const SHEET_PLAN = '下月完成设备采购合同签订，启动安装调试'

test('a county reports the month in one sheet; the city exports the board and closes the round', async ({ page }, info) => {
  test.setTimeout(180_000)
  const { period, label } = lastMonth(2)
  const title = `${label}项目调度`

  await login(page, 'nx_bureau')
  for (const [i, name] of SHEET_PROJECTS.entries()) {
    const created = await page.request.post('/api/projects', {
      data: { name, investor_name: SHEET_INVESTORS[i], origin: 'in_province', region_code: '430921', stage: 'negotiating', key_project: true },
    })
    expect(created.status(), await created.text()).toBe(201)
  }
  await switchUser(page, 'yy_bureau')
  const opened = await page.request.post(`/api/dispatch/rounds?region=430921&q=${encodeURIComponent(SHEET_MARKER)}`, {
    data: { period },
  })
  expect(opened.status(), await opened.text()).toBe(201)
  expect((await opened.json()).project_count).toBe(3)

  await switchUser(page, 'nx_bureau')
  const clerk = actionCounter(page)
  let downloads = 0
  let cellsFilled = 0
  // The clerk's files keep the name the sheet came with.
  const name = `月度调度表_${period}.xlsx`
  const blank = info.outputPath('downloaded', name)
  const mistaken = info.outputPath('draft', name)
  const filled = info.outputPath('final', name)

  await test.step('南县 downloads the round’s sheet and fills it in offline', async () => {
    clerk.start()
    await clerk.click(page.locator('.el-aside .el-menu').getByText('月度调度', { exact: true }))
    await settled(page)
    await clerk.click(page.getByTestId('rounds-table').getByRole('link', { name: title }))
    await settled(page)
    await expect(page.getByRole('tab', { name: /项目进展/ })).toHaveAttribute('aria-selected', 'true')
    await expect(page.getByTestId('upload-month-sheet')).toBeVisible()
    const downloading = page.waitForEvent('download')
    await clerk.click(page.getByTestId('download-month-sheet'))
    const download = await downloading
    downloads++
    expect(download.suggestedFilename()).toBe(name)
    await download.saveAs(blank)
    clerk.stop()
    await pageShot(page, 'dispatch-sheet-01-county-round')

    const rows = sheetRows(readFileSync(blank))
    expect(rows[0].slice(0, 9)).toEqual(['*项目编号', '项目名称', '县市区', '当前阶段', '本月报送状态', '上月进展', '上月下步计划', '本月无变化', '本月进展'])
    expect(rows.slice(1).map((r) => r[1]).sort()).toEqual([...SHEET_PROJECTS].sort())
    expect(rows.slice(1).every((r) => r[4] === '未开始')).toBe(true)

    const [worked, same1, same2] = SHEET_PROJECTS
    const sheet = fillSheet(readFileSync(blank), '项目名称', {
      [worked]: { 本月进展: SHEET_PROGRESS, 下步计划: SHEET_PLAN },
      [same1]: { 本月无变化: '是' },
      [same2]: { 本月无变化: '是' },
    })
    cellsFilled = sheet.cellsFilled
    mkdirSync(dirname(filled), { recursive: true })
    mkdirSync(dirname(mistaken), { recursive: true })
    writeFileSync(filled, sheet.workbook)
    // The same sheet with a slip: a project marked 本月无变化 that also has words of its own.
    writeFileSync(mistaken, fillSheet(sheet.workbook, '项目名称', { [same2]: { 本月无变化: '是', 本月进展: '与上月相同' } }).workbook)
  })

  await test.step('a mistake is named by row and column, and the sheet comes back marked', async () => {
    await page.getByTestId('upload-month-sheet').click()
    const dialog = page.getByTestId('month-sheet-dialog')
    await dialog.locator('.upload input[type=file]').setInputFiles(mistaken)
    const preview = dialog.getByTestId('month-sheet-preview')
    await expect(preview).toContainText('共 3 行，有效 2 行，错误 1 处')
    const errors = dialog.getByTestId('import-errors')
    await expect(errors).toContainText(SHEET_PROJECTS[2])
    await expect(errors).toContainText('本月无变化')
    await expect(errors).toContainText('“本月无变化”填“是”时，本月进展、问题、计划、新阶段和到位金额须留空')
    await expect(errors.locator('td').nth(1)).toHaveText('H')
    await expect(dialog.getByTestId('sheet-commit')).toBeDisabled()
    await pageShot(page, 'dispatch-sheet-02-errors')
    const downloading = page.waitForEvent('download')
    await dialog.getByTestId('sheet-marked').click()
    const marked = await downloading
    expect(marked.suggestedFilename()).toBe(`月度调度表_${period}（已标注错误）.xlsx`)
    const markedRows = sheetRows(readFileSync(await marked.path()))
    expect(markedRows.some((r) => r.some((t) => t.includes('须留空')))).toBe(true)
    await dialog.getByRole('button', { name: '取消' }).click()
    await expect(dialog).toBeHidden()
  })

  await test.step('the corrected sheet is uploaded once, checked and confirmed', async () => {
    clerk.start()
    await clerk.click(page.getByTestId('upload-month-sheet'))
    const dialog = page.getByTestId('month-sheet-dialog')
    await clerk.choose(dialog.locator('.upload input[type=file]'), filled)
    const preview = dialog.getByTestId('month-sheet-preview')
    await expect(preview).toContainText('共 3 行，有效 3 行，错误 0 处')
    await expect(dialog.getByTestId('month-sheet-summary')).toHaveText('将报送 3 个项目（本月无变化 2 个）')
    const rows = dialog.getByTestId('month-sheet-rows')
    await expect(rows.locator('tr.el-table__row')).toHaveCount(3)
    await expect(rows.locator('tr.el-table__row', { hasText: SHEET_PROJECTS[0] })).toContainText(SHEET_PROGRESS)
    await expect(rows.locator('tr.el-table__row', { hasText: SHEET_PROJECTS[1] })).toContainText('本月无变化（沿用上月进展、问题和计划）')
    await pageShot(page, 'dispatch-sheet-03-preview')
    await clerk.click(dialog.getByTestId('sheet-commit'))
    await expect(page.locator('.el-message--success')).toContainText('已报送 3 个项目的本月进展')
    await expect(dialog).toBeHidden()
    clerk.stop()
    for (const name of SHEET_PROJECTS) await expect(projectRow(page, name).getByTestId('update-state')).toHaveText('已报')
    await expect(page.getByTestId('round-progress')).toContainText('已报 3 / 3')
    await pageShot(page, 'dispatch-sheet-04-county-reported')

    await projectRow(page, SHEET_PROJECTS[0]).getByTestId('view-update').click()
    const update = page.getByTestId('update-dialog')
    await expect(update).toContainText(SHEET_PROGRESS)
    await expect(update).toContainText(SHEET_PLAN)
    await update.getByRole('button', { name: '关闭', exact: true }).click()
  })

  const burden = {
    pageVisits: clerk.counts.pageVisits,
    clicks: clerk.counts.clicks,
    fieldsTyped: clerk.counts.fieldsTyped,
    downloads,
    uploads: clerk.counts.filesChosen,
    confirms: 1,
    cellsFilled,
    projects: SHEET_PROJECTS.length,
    visited: clerk.visited,
  }
  // One download, one upload, one confirm, nothing typed in the browser.
  expect(burden).toMatchObject({ downloads: 1, uploads: 1, confirms: 1, fieldsTyped: 0 })
  console.log(`月度调度表填报负担 ${JSON.stringify(burden)}`)
  await info.attach('month-sheet-burden.json', { body: JSON.stringify(burden, null, 2), contentType: 'application/json' })

  await test.step('益阳市 sees 南县 reported, exports the board and closes the round', async () => {
    await switchUser(page, 'yy_bureau')
    await openMenu(page, '月度调度')
    await page.getByTestId('rounds-table').getByRole('link', { name: title }).click()
    await settled(page)
    const row = page.getByTestId('board-table').locator('tr.el-table__row', { hasText: '南县商务主管部门' })
    await expect(row.getByTestId('reporter-status')).toHaveText('已报')
    await expect(page.getByTestId('round-progress')).toContainText('已报 3 / 3')

    const downloading = page.waitForEvent('download')
    await page.getByTestId('export-board').click()
    const exported = await downloading
    expect(exported.suggestedFilename()).toBe(`${title}_报送情况.xlsx`)
    const board = sheetRows(readFileSync(await exported.path()))
    const nanxian = board.find((r) => r.includes('南县商务主管部门'))
    expect(nanxian, JSON.stringify(board)).toBeDefined()
    expect(nanxian).toEqual(expect.arrayContaining(['南县', '已报']))
    await pageShot(page, 'dispatch-sheet-05-board-reported')

    await page.getByTestId('close-round').click()
    const box = page.locator('.el-message-box')
    await expect(box).toContainText(`确定结束“${title}”？各项目均已报送。`)
    await pageShot(page, 'dispatch-sheet-06-close-confirm')
    await box.getByRole('button', { name: '结束本轮' }).click()
    await expect(page.locator('.el-message--success')).toContainText(`已结束“${title}”，不再接受报送`)
    await expect(page.getByTestId('round-closed')).toBeVisible()
    await expect(page.getByTestId('close-round')).toHaveCount(0)
    await expect(page.getByTestId('remind')).toHaveCount(0)
    await expect(page.locator('.head-tags')).toContainText('已结束')
    await pageShot(page, 'dispatch-sheet-07-closed')
  })

  await test.step('南县 can no longer report to the closed round', async () => {
    await switchUser(page, 'nx_bureau')
    await openMenu(page, '月度调度')
    await expect(page.getByTestId('rounds-table').locator('tr.el-table__row', { hasText: title })).toContainText('已结束')
    await page.getByTestId('rounds-table').getByRole('link', { name: title }).click()
    await settled(page)
    await expect(page.getByTestId('round-closed')).toBeVisible()
    await expect(page.getByTestId('upload-month-sheet')).toHaveCount(0)
    const round = (await opened.json()).id as number
    const refused = await page.request.post('/api/dispatch/sheet/preview', {
      multipart: {
        file: { name, mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: readFileSync(filled) },
        round_id: String(round),
      },
    })
    expect(refused.status()).toBe(409)
    expect((await refused.json()).message).toContain('已结束，不能再报送')
  })
})
