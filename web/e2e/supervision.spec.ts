import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { login, openDialog, openMenu, pageShot, settled } from './helpers'

// 益阳市's bureau forms a supervision group led by yy_inspector over 南县 and 沅江市. The
// inspector records a visit to 南县 and lists two problems of a project there; the problem list
// is in the leader's 我的待办 until submitted. The city's bureau assigns the first to
// 县经济开发区, whose account (nx_unit) answers it; the second, given to 县教育局, goes overdue
// (its deadline moved into the past in the database, as the passing days would) and is
// supervised with a 督办函. The compliance view shows 南县 visited this quarter, 沅江市 not.
const PROJECT = '南县督导调研测试食品加工项目'
const FIRST = '督导发现：二期厂房用地报批材料退回补正，影响开工'
const SECOND = '督导发现：园区污水管网未接通，企业无法试生产'
const ANSWER = '已协调县自然资源局，补正材料本周报送'
const GROUP = '益阳市第一督导组'

async function switchUser(page: Page, username: string): Promise<void> {
  await page.context().clearCookies()
  await login(page, username)
}

async function pickOption(page: Page, name: string): Promise<void> {
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: name }).first().click()
}

async function addProblem(page: Page, description: string, category: string): Promise<void> {
  await page.getByTestId('visit-add-problem').click()
  const dialog = openDialog(page)
  await dialog.getByTestId('visit-problem-description').fill(description)
  await dialog.getByTestId('visit-problem-category').click()
  await pickOption(page, category)
  await dialog.getByTestId('visit-problem-project').click()
  await pickOption(page, PROJECT)
  await dialog.getByTestId('visit-problem-save').click()
  await expect(dialog).toBeHidden()
}

async function openProblem(page: Page, description: string): Promise<void> {
  await openMenu(page, '问题清单')
  await page.getByTestId('problems-table').locator('tr.el-table__row', { hasText: description }).click()
  await expect(page).toHaveURL(/\/problems\/\d+$/)
  await settled(page)
}

async function assign(page: Page, unit: string): Promise<void> {
  await page.getByTestId('action-assign').click()
  const dialog = openDialog(page)
  await dialog.getByTestId('assign-unit').click()
  await pickOption(page, unit)
  await dialog.getByTestId('assign-leader').fill('王副市长')
  await dialog.getByTestId('assign-person').fill('刘洋')
  await dialog.getByTestId('action-submit').click()
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('problem-status')).toHaveText('已交办')
}

test('an inspector records a visit and its problem list, which the city assigns, the unit answers and the city supervises', async ({ page }) => {
  test.setTimeout(240_000)

  await test.step('益阳市 forms a group over 南县 and 沅江市', async () => {
    await login(page, 'nx_bureau')
    const created = await page.request.post('/api/projects', {
      data: { name: PROJECT, investor_name: '湖南某某食品有限公司', origin: 'in_province', region_code: '430921', stage: 'negotiating' },
    })
    expect(created.status(), await created.text()).toBe(201)
    await switchUser(page, 'yy_bureau')
    await openMenu(page, '督导组')
    await page.getByTestId('new-group').click()
    const dialog = openDialog(page)
    await dialog.getByTestId('group-name').fill(GROUP)
    await dialog.getByTestId('group-leader').click()
    await pickOption(page, '方玉兰')
    await dialog.getByTestId('group-regions').click()
    await pickOption(page, '南县')
    await pickOption(page, '沅江市')
    await page.keyboard.press('Escape')
    await pageShot(page, 'supervision-01-form')
    await dialog.getByTestId('group-save').click()
    await expect(dialog).toBeHidden()
    const row = page.getByTestId('groups-table').locator('tr.el-table__row', { hasText: GROUP })
    await expect(row).toContainText('南县')
    await expect(row).toContainText('沅江市')
    await pageShot(page, 'supervision-02-groups')
  })

  await test.step('the inspector records a visit to 南县 and lists two problems', async () => {
    await switchUser(page, 'yy_inspector')
    // The group's regions are the inspector's whole reach: 南县's project, nothing of 益阳市's other counties.
    await openMenu(page, '督导调研')
    await page.getByTestId('new-visit').click()
    const dialog = openDialog(page)
    await dialog.getByTestId('visit-method').getByText('座谈交流').click()
    await dialog.getByTestId('visit-places').click()
    await pickOption(page, '南县')
    await page.keyboard.press('Escape')
    await dialog.getByTestId('visit-projects').click()
    await dialog.getByTestId('visit-projects').locator('input').fill('食品加工')
    await pickOption(page, PROJECT)
    await page.keyboard.press('Escape')
    await dialog.getByTestId('visit-findings').fill('召开项目推进座谈会，企业反映用地报批和园区配套两方面困难。')
    await pageShot(page, 'supervision-03-record-visit')
    await dialog.getByTestId('visit-save').click()
    await expect(page).toHaveURL(/\/supervision\/visits\/\d+$/)
    await settled(page)
    await expect(page.getByTestId('visit-list-status')).toContainText('待报送')
    await addProblem(page, FIRST, '用地')
    await addProblem(page, SECOND, '要素保障')
    await expect(page.getByTestId('visit-problems').locator('tr.el-table__row')).toHaveCount(2)
    await pageShot(page, 'supervision-04-visit-problems')
    // The problem list is the leader's task until it is submitted.
    await openMenu(page, '我的待办')
    const task = page.getByTestId('tasks-table').locator('tr.el-table__row', { hasText: GROUP })
    await expect(task).toContainText('督导问题清单')
    await pageShot(page, 'supervision-05-leader-task')
    await task.getByTestId('task-link').click()
    await expect(page).toHaveURL(/\/supervision\/visits\/\d+$/)
    await settled(page)
    await page.getByTestId('visit-submit-list').click()
    await page.locator('.el-message-box:visible').getByRole('button', { name: '报送' }).click()
    await expect(page.getByTestId('visit-list-status')).toContainText('已报送')
    await expect(page.getByTestId('visit-add-problem')).toHaveCount(0)
  })

  await test.step('the city assigns both; 县经济开发区 answers the first', async () => {
    await switchUser(page, 'yy_bureau')
    await openProblem(page, FIRST)
    await assign(page, '县经济开发区')
    await expect(page.getByTestId('problem-letters')).toContainText(/益阳市商交〔\d{4}〕\d+号/)
    await openProblem(page, SECOND)
    await assign(page, '县教育局')
    await switchUser(page, 'nx_unit')
    await openProblem(page, FIRST)
    await page.getByTestId('action-accept').click()
    await expect(page.getByTestId('problem-status')).toHaveText('办理中')
    await page.getByTestId('action-answer').click()
    await openDialog(page).getByTestId('action-text').fill(ANSWER)
    await openDialog(page).getByTestId('action-submit').click()
    await expect(page.getByTestId('problem-status')).toHaveText('已答复')
    await pageShot(page, 'supervision-06-unit-answered')
  })

  await test.step('the second goes overdue and the city supervises it with a 督办函', async () => {
    const db = 'test-results/e2e-server/e2e.db'
    const script = `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE problems SET due_on = date('now', '+8 hours', '-3 days') WHERE description = ?", (sys.argv[2],))
c.execute("UPDATE tasks SET due_on = date('now', '+8 hours', '-3 days') WHERE kind = 'problem' AND source_id IN (SELECT id FROM problems WHERE description = ?)", (sys.argv[2],))
c.commit()
`
    execFileSync('python3', ['-c', script, db, SECOND])
    await switchUser(page, 'yy_bureau')
    await openProblem(page, SECOND)
    await expect(page.getByTestId('problem-overdue')).toBeVisible()
    await page.getByTestId('action-supervise').click()
    const dialog = openDialog(page)
    await dialog.getByTestId('action-text').fill('督导发现的问题逾期未答复，请加快办理')
    await dialog.getByTestId('action-submit').click()
    await expect(dialog).toBeHidden()
    await expect(page.getByTestId('problem-letters')).toContainText(/益阳市商督〔\d{4}〕1号/)
    const downloading = page.waitForEvent('download')
    await page.getByTestId('download-supervise').click()
    mkdirSync('test-results/letters', { recursive: true })
    await (await downloading).saveAs('test-results/letters/督导督办函.docx')
    await pageShot(page, 'supervision-07-supervised')
  })

  await test.step('the quarter’s compliance: 南县 visited, 沅江市 not', async () => {
    await openMenu(page, '督导组')
    await page.getByRole('tab', { name: '季度督导完成情况' }).click()
    const card = page.getByTestId('compliance-card').filter({ hasText: GROUP })
    await expect(card.getByTestId('compliance-summary')).toHaveText('已完成 1 / 2 个片区')
    await expect(card.locator('tr.el-table__row', { hasText: '南县' })).toContainText('已完成')
    await expect(card.locator('tr.el-table__row', { hasText: '沅江市' })).toContainText('未督导')
    await pageShot(page, 'supervision-08-compliance')
  })
})
