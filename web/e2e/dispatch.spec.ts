import { expect, test, type Page } from '@playwright/test'
import { formItem, login, openDialog, openMenu, pageShot, pickRegion, settled } from './helpers'

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

/** The month just ended in Beijing, as the round names it: 2026年11月. */
function lastMonth(): { period: string; label: string } {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
  const [y, m] = today.split('-').map(Number)
  const [year, month] = m === 1 ? [y - 1, 12] : [y, m - 1]
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
