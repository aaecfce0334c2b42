import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { login, openDialog, openMenu, pageShot, settled } from './helpers'

// 南县's bureau registers two problems of one of its projects. It assigns the first to 县经济开发区
// (nx_unit's unit) with a 交办函, which it downloads; nx_unit finds it in 我的待办, accepts and
// answers it; the bureau closes it. The second, given to 县教育局, goes overdue (its deadline is
// moved into the past in the database, as the passing days would) and is supervised with a
// 督办函.
const FIRST = '二期项目用地指标尚未落实，影响厂房开工'
const SECOND = '施工用电增容申请迟迟未获批复'
const PROJECT = '南县问题清单测试智能装备制造项目'
const ANSWER = '已协调县自然资源局，二期用地指标于本月底前下达'

async function switchUser(page: Page, username: string): Promise<void> {
  await page.context().clearCookies()
  await login(page, username)
}

async function pickOption(page: Page, name: string): Promise<void> {
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: name }).first().click()
}

async function register(page: Page, description: string, category: string): Promise<void> {
  await page.getByTestId('new-problem').click()
  const dialog = openDialog(page)
  await dialog.getByTestId('problem-description').fill(description)
  await dialog.getByTestId('problem-category').click()
  await pickOption(page, category)
  await dialog.getByTestId('problem-project').click()
  await dialog.getByTestId('problem-project').locator('input').fill(PROJECT)
  await pickOption(page, PROJECT)
  await expect(dialog.getByTestId('problem-route')).toHaveText('属地办理')
  await dialog.getByTestId('problem-save').click()
  await expect(dialog).toBeHidden()
}

async function openProblem(page: Page, description: string): Promise<void> {
  await page.getByTestId('problems-table').locator('tr.el-table__row', { hasText: description }).click()
  await expect(page).toHaveURL(/\/problems\/\d+$/)
  await settled(page)
}

async function assign(page: Page, unit: string): Promise<void> {
  await page.getByTestId('action-assign').click()
  const dialog = openDialog(page)
  await dialog.getByTestId('assign-unit').click()
  await pickOption(page, unit)
  await dialog.getByTestId('assign-leader').fill('张副县长')
  await dialog.getByTestId('assign-person').fill('李明')
  await dialog.getByTestId('action-submit').click()
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('problem-status')).toHaveText('已交办')
}

test('the bureau assigns a problem that the unit answers and is closed, and supervises an overdue one', async ({ page }) => {
  test.setTimeout(180_000)

  await test.step('南县 registers two problems and assigns the first with a 交办函', async () => {
    await login(page, 'nx_bureau')
    const created = await page.request.post('/api/projects', {
      data: { name: PROJECT, investor_name: '湖南某某智能装备有限公司', origin: 'in_province', region_code: '430921', stage: 'negotiating' },
    })
    expect(created.status(), await created.text()).toBe(201)
    await openMenu(page, '问题清单')
    await register(page, FIRST, '用地')
    await register(page, SECOND, '要素保障')
    await expect(page.getByTestId('problems-table').locator('tr.el-table__row', { hasText: FIRST })).toContainText('已登记')
    await pageShot(page, 'problems-01-list')
    await openProblem(page, FIRST)
    await assign(page, '县经济开发区')
    const letters = page.getByTestId('problem-letters')
    await expect(letters).toContainText(/南县商交〔\d{4}〕\d+号/)
    const downloading = page.waitForEvent('download')
    await page.getByTestId('download-assign').click()
    const letter = await downloading
    expect(letter.suggestedFilename()).toMatch(/^南县商交〔\d{4}〕\d+号\.docx$/)
    mkdirSync('test-results/letters', { recursive: true })
    await letter.saveAs('test-results/letters/交办函.docx')
    await pageShot(page, 'problems-02-assigned')
  })

  await test.step('the second goes to 县教育局', async () => {
    await openMenu(page, '问题清单')
    await openProblem(page, SECOND)
    await assign(page, '县教育局')
  })

  await test.step('nx_unit finds it in 我的待办, accepts and answers it', async () => {
    await switchUser(page, 'nx_unit')
    await openMenu(page, '我的待办')
    const task = page.getByTestId('tasks-table').locator('tr.el-table__row', { hasText: FIRST.slice(0, 10) })
    await expect(task).toContainText('交办问题')
    await pageShot(page, 'problems-03-unit-tasks')
    await task.getByTestId('task-link').click()
    await expect(page).toHaveURL(/\/problems\/\d+$/)
    await settled(page)
    // The unit sees only what was given to it.
    await openMenu(page, '问题清单')
    await expect(page.getByTestId('problems-table').locator('tr.el-table__row')).toHaveCount(1)
    await openProblem(page, FIRST)
    await page.getByTestId('action-accept').click()
    await expect(page.getByTestId('problem-status')).toHaveText('办理中')
    await page.getByTestId('action-answer').click()
    await openDialog(page).getByTestId('action-text').fill(ANSWER)
    await openDialog(page).getByTestId('action-submit').click()
    await expect(page.getByTestId('problem-status')).toHaveText('已答复')
    await expect(page.getByTestId('action-close')).toHaveCount(0)
  })

  await test.step('the bureau closes the answered problem', async () => {
    await switchUser(page, 'nx_bureau')
    await openMenu(page, '问题清单')
    await openProblem(page, FIRST)
    await expect(page.getByTestId('problem-answer')).toHaveText(ANSWER)
    await page.getByTestId('action-close').click()
    await expect(page.getByTestId('problem-status')).toHaveText('已办结')
    await expect(page.getByTestId('problem-timeline')).toContainText('办结')
    await pageShot(page, 'problems-04-closed')
  })

  await test.step('the second goes overdue and is supervised with a 督办函', async () => {
    // Ten days pass: the deadline (and its task's) is moved into the past in the database.
    const db = 'test-results/e2e-server/e2e.db'
    const script = `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE problems SET due_on = date('now', '+8 hours', '-2 days') WHERE description = ?", (sys.argv[2],))
c.execute("UPDATE tasks SET due_on = date('now', '+8 hours', '-2 days') WHERE kind = 'problem' AND source_id IN (SELECT id FROM problems WHERE description = ?)", (sys.argv[2],))
c.commit()
`
    execFileSync('python3', ['-c', script, db, SECOND])
    await openMenu(page, '问题清单')
    await page.getByTestId('problem-filter-overdue').click()
    await settled(page)
    const rows = page.getByTestId('problems-table').locator('tr.el-table__row')
    await expect(rows).toHaveCount(1)
    await expect(rows.first()).toContainText('逾期 2 天')
    await pageShot(page, 'problems-05-overdue')
    // At 1440 px the list's columns fit: no horizontal scrolling to reach 督办 or 来源.
    const scroll = await page
      .getByTestId('problems-table')
      .locator('.el-scrollbar__wrap')
      .first()
      .evaluate((el) => el.scrollWidth - el.clientWidth)
    expect(scroll).toBeLessThanOrEqual(0)
    // The export holds the filtered list: the overdue problem only.
    const exporting = page.waitForEvent('download')
    await page.getByTestId('export-problems').click()
    const sheet = await exporting
    expect(sheet.suggestedFilename()).toBe('问题清单.xlsx')
    await sheet.saveAs('test-results/letters/问题清单.xlsx')
    await openProblem(page, SECOND)
    await expect(page.getByTestId('problem-overdue')).toBeVisible()
    await page.getByTestId('action-supervise').click()
    const dialog = openDialog(page)
    await dialog.getByTestId('action-text').fill('逾期未答复，请加快办理')
    await dialog.getByTestId('action-submit').click()
    await expect(dialog).toBeHidden()
    await expect(page.getByTestId('problem-letters')).toContainText(/南县商督〔\d{4}〕1号/)
    await expect(page.getByTestId('problem-timeline')).toContainText('督办')
    const downloading = page.waitForEvent('download')
    await page.getByTestId('download-supervise').click()
    await (await downloading).saveAs('test-results/letters/督办函.docx')
    await pageShot(page, 'problems-06-supervised')
  })

  await test.step("the units' handling record", async () => {
    await openMenu(page, '问题清单')
    await page.getByRole('tab', { name: '单位办理情况' }).click()
    const table = page.getByTestId('unit-figures')
    await expect(table.locator('tr.el-table__row', { hasText: '县经济开发区' })).toBeVisible()
    await expect(table.locator('tr.el-table__row', { hasText: '县教育局' })).toBeVisible()
    await pageShot(page, 'problems-07-units')
  })
})
