import { expect, test, type Locator, type Page } from '@playwright/test'
import { columnTexts, login, openMenu, settled, shot as viewportShot, sideMenu, clearDuplicatePool } from './helpers'

const PROJECT = '南县羽绒服装产业园项目（E2E）'
const INVESTOR = '浙江某服饰有限公司'
const CREDIT_CODE = '914403001922038216'
const EVENT = '2026南县招商引资项目集中签约活动（E2E）'

/**
 * A screenshot of the whole page: the layout scrolls inside el-main, so the window is made
 * as tall as the content first. Toasts are removed so they do not cover the page.
 */
async function shot(page: Page, name: string): Promise<void> {
  await settled(page)
  await page.locator('.el-message').evaluateAll((els) => els.forEach((e) => e.remove()))
  const dialogOpen = (await page.locator('.el-dialog:visible, .el-message-box:visible').count()) > 0
  const height = dialogOpen ? 900 : await page.locator('.el-main').evaluate((el) => el.scrollHeight + 60)
  await page.setViewportSize({ width: 1440, height: Math.max(900, height) })
  await viewportShot(page, name)
  await page.setViewportSize({ width: 1440, height: 900 })
}

/** The form item of a visible dialog (or page) by its label. */
function field(scope: Locator, label: string): Locator {
  return scope.locator('.el-form-item').filter({ has: scope.page().locator('.el-form-item__label', { hasText: new RegExp(`^${label}$`) }) })
}

function dialog(page: Page): Locator {
  return page.locator('.el-dialog:visible')
}

async function switchUser(page: Page, username: string): Promise<void> {
  await page.context().clearCookies()
  await login(page, username)
}

async function typeDate(item: Locator, value: string): Promise<void> {
  const input = item.locator('input').first()
  await input.click()
  await input.fill(value)
  await input.press('Enter')
}

async function pickOption(page: Page, item: Locator, text: string): Promise<void> {
  await item.locator('.el-select').click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: text }).first().click()
}

test('a project from entry to a confirmed 25% arrival, seen on the 三率 page', async ({ page }) => {
  test.setTimeout(180_000)

  // ---- 南县商务局: a signing event and a project of 20,000万元 ----
  await login(page, 'nx_bureau')
  const menu = sideMenu(page)
  for (const title of ['项目台账', '签约活动', '重复核查', '三率统计']) await expect(menu).toContainText(title)
  // Review is the level above's job: a county bureau has no 资金审核.
  await expect(menu).not.toContainText('资金审核')

  await openMenu(page, '签约活动')
  await page.getByRole('button', { name: '新增签约活动' }).click()
  let d = dialog(page)
  await field(d, '活动名称').locator('input').fill(EVENT)
  await typeDate(field(d, '举办日期'), '2026-01-08')
  await field(d, '主办单位').locator('input').fill('南县人民政府')
  await shot(page, 'ledger-01-event-dialog')
  await d.getByRole('button', { name: '保存' }).click()
  await expect(page.getByTestId('events-table')).toContainText(EVENT)
  await shot(page, 'ledger-02-events')
  // 编辑: a correction of the host, kept in the list.
  await page.getByTestId('events-table').locator('tr.el-table__row', { hasText: EVENT }).getByRole('button', { name: '编辑' }).click()
  d = dialog(page)
  await expect(d).toContainText('修改签约活动')
  await field(d, '主办单位').locator('input').fill('南县人民政府、南县商务局')
  await d.getByRole('button', { name: '保存' }).click()
  await expect(page.getByTestId('events-table')).toContainText('南县人民政府、南县商务局')
  const eventsDownload = page.waitForEvent('download')
  await page.getByTestId('export-events').click()
  expect((await eventsDownload).suggestedFilename()).toBe('签约活动.xlsx')

  await openMenu(page, '项目台账')
  await expect(page.getByTestId('projects-table')).toBeVisible()
  await page.getByRole('button', { name: '新增项目' }).click()
  d = dialog(page)
  // Client-side checks first: an empty form and a bad credit code are refused.
  await field(d, '统一社会信用代码').locator('input').fill('914403001922038217')
  await field(d, '合同资金').locator('input').fill('2万')
  await d.getByRole('button', { name: '保存' }).click()
  await expect(field(d, '项目名称')).toContainText('请输入项目名称')
  await expect(field(d, '统一社会信用代码')).toContainText('校验位')
  await expect(field(d, '合同资金')).toContainText('万元为单位')
  await field(d, '项目名称').locator('input').fill(PROJECT)
  await field(d, '投资方名称').locator('input').fill(INVESTOR)
  await field(d, '统一社会信用代码').locator('input').fill(CREDIT_CODE)
  await field(d, '合同资金').locator('input').fill('20,000')
  await field(d, '总投资').locator('input').fill('30000')
  await typeDate(field(d, '签约日期'), '2026-01-10')
  // Event names are unique only within one organising region: each option says whose it is.
  await field(d, '签约活动').locator('.el-select').click()
  const eventOption = page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: EVENT }).first()
  await expect(eventOption).toContainText('南县 · 2026-')
  await shot(page, 'ledger-03a-event-options')
  await eventOption.click()
  await field(d, '责任领导').locator('input').fill('王副县长')
  await field(d, '责任人').locator('input').fill('李明')
  // nx_unit's unit is responsible for it: that account reads only its own unit's projects.
  await pickOption(page, field(d, '责任单位'), '县经济开发区')
  await field(d, '服务方案').locator('textarea').fill('专班服务，每月调度一次用地与开工手续。')
  // 行业代码 is picked from the GB/T 4754 dictionary (a division here).
  await pickOption(page, field(d, '行业代码'), '18 纺织服装、服饰业')
  await d.getByText('重点项目', { exact: true }).click()
  await expect(field(d, '落户地').locator('input').first()).toHaveValue(/南县/)
  await shot(page, 'ledger-03-project-dialog')
  await d.getByRole('button', { name: '保存' }).click()

  await expect(page).toHaveURL(/\/projects\/\d+$/)
  const projectUrl = new URL(page.url()).pathname
  await expect(page.getByTestId('project-name')).toHaveText(PROJECT)
  await expect(page.getByTestId('project-rate')).toHaveText('0.00%')
  await expect(page.locator('.info')).toContainText('纺织服装、服饰业（18）')
  await expect(page.getByTestId('project-classification')).toHaveText('未履约')
  await expect(page.locator('.stats')).toContainText('20,000.00 万元')

  // 阶段变更: land supplied 22 days after signing.
  await page.getByRole('button', { name: '阶段变更' }).click()
  d = dialog(page)
  await pickOption(page, field(d, '新阶段'), '已供地')
  await typeDate(field(d, '变更日期'), '2026-02-01')
  await field(d, '说明').locator('textarea').fill('净地已交付')
  await shot(page, 'ledger-04-stage-dialog')
  await d.getByRole('button', { name: '确定' }).click()
  await expect(page.getByTestId('stage-timeline')).toContainText('已供地')
  await expect(page.getByTestId('chain-days').first()).toContainText('22 天')
  await shot(page, 'ledger-05-project-detail')

  // The same project entered again — the province in front, traditional characters — goes to
  // the duplicate pool (not refused).
  const COPY = '湖南省南县羽絨服裝產業園項目（E2E）'
  const dup = await page.request.post('/api/projects', {
    data: {
      name: COPY,
      investor_name: INVESTOR,
      investor_credit_code: CREDIT_CODE,
      origin: 'out_of_province',
      region_code: '430921',
      stage: 'negotiating',
    },
  })
  expect(dup.status()).toBe(201)
  await openMenu(page, '重复核查')
  const dupTable = page.getByTestId('duplicates-table')
  await expect(dupTable).toContainText(COPY)
  await expect(dupTable).toContainText(PROJECT)
  await shot(page, 'ledger-06-duplicates')
  const dupDownload = page.waitForEvent('download')
  await page.getByTestId('export-duplicates').click()
  expect((await dupDownload).suggestedFilename()).toBe('疑似重复项目.xlsx')

  await openMenu(page, '项目台账')
  const table = page.getByTestId('projects-table')
  await expect(table).toContainText(PROJECT)
  await expect(await columnTexts(table, '合同金额')).toContain('2.00 亿元')
  await shot(page, 'ledger-07-projects')
  // 导出Excel gives exactly the filtered list as a workbook: the columns shown, or every field.
  const exportRequest = (page: Page) => page.waitForRequest((r) => r.url().includes('/api/projects/export'))
  const downloading = page.waitForEvent('download')
  let request = exportRequest(page)
  await page.getByTestId('export-projects').getByRole('button', { name: '导出Excel' }).click()
  expect(new URL((await request).url()).searchParams.get('columns')).toContain('contract_fen')
  const download = await downloading
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/)
  await expect(page.getByTestId('task-progress')).toContainText('完成')
  const downloadingAll = page.waitForEvent('download')
  request = exportRequest(page)
  await page.getByTestId('export-projects').locator('.el-dropdown__caret-button').click()
  await page.getByTestId('export-all-fields').click()
  expect(new URL((await request).url()).searchParams.get('columns')).toBeNull()
  await downloadingAll
  // 更多筛选: a 元 contract is not among the foreign-capital (USD) projects.
  const filtersForm = page.getByTestId('project-filters')
  await page.getByTestId('more-filters').click()
  const currency = filtersForm.locator('.el-form-item', { hasText: '合同币种' })
  await pickOption(page, currency, '美元（外资）')
  await filtersForm.getByRole('button', { name: '查询' }).click()
  await expect(table).not.toContainText(PROJECT)
  await shot(page, 'ledger-07b-more-filters')
  await pickOption(page, currency, '人民币（元）')
  await filtersForm.getByRole('button', { name: '查询' }).click()
  await expect(table).toContainText(PROJECT)

  // ---- 南县 responsible unit: 5,000万元 for 2026-03, with evidence ----
  await switchUser(page, 'nx_unit')
  await expect(sideMenu(page)).not.toContainText('资金审核')
  await page.goto('/funds/review')
  await expect(page).toHaveURL(/\/$/) // no review_funds: sent back to 工作台
  await openMenu(page, '项目台账')
  await page.getByTestId('projects-table').getByRole('link', { name: PROJECT }).click()
  await expect(page.getByTestId('project-name')).toHaveText(PROJECT)
  await expect(page.getByRole('button', { name: '阶段变更' })).toHaveCount(0)

  await page.getByRole('button', { name: '填报到位资金' }).click()
  d = dialog(page)
  await typeDate(field(d, '到位月份'), '2026-03')
  // More than the contract: the server warns and the form asks for a reason.
  await page.getByTestId('fund-amount').fill('25000')
  await d.getByRole('button', { name: '提交审核' }).click()
  await expect(page.getByTestId('fund-warnings')).toContainText('超过合同金额')
  await expect(page.getByTestId('override-reason')).toBeVisible()
  await shot(page, 'ledger-08-fund-warning')
  // The right figure carries no warning (unless the calendar says it is quarter end).
  await page.getByTestId('fund-amount').fill('5000')
  await expect(page.getByTestId('fund-warnings')).toHaveCount(0)
  await d.getByRole('button', { name: '提交审核' }).click()
  if (await page.getByTestId('fund-warnings').isVisible({ timeout: 1500 }).catch(() => false)) {
    await page.getByTestId('override-reason').fill('按银行回单如实填报')
    await d.getByRole('button', { name: '确认无误，提交' }).click()
  }
  await expect(dialog(page)).toHaveCount(0)
  const funds = page.getByTestId('funds-table')
  await expect(funds).toContainText('5,000.00 万元')
  await expect(funds).toContainText('待审核')
  await expect(page.getByTestId('project-rate')).toHaveText('0.00%') // not yet confirmed

  await funds.locator('.el-table__expand-icon').first().click()
  await page.getByTestId('fund-evidence').locator('input[type=file]').setInputFiles({
    name: '银行回单-2026年3月.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'),
  })
  await expect(page.getByTestId('fund-evidence')).toContainText('银行回单-2026年3月.pdf')
  await shot(page, 'ledger-09-fund-entered')

  // ---- 南县商务局 cannot confirm its own county's figures ----
  await switchUser(page, 'nx_bureau')
  await expect(sideMenu(page)).not.toContainText('资金审核')
  // Typing the address does not help: a county holds no review right, so the page sends it home.
  await page.goto('/funds/review')
  await settled(page)
  await expect(page).not.toHaveURL(/\/funds\/review/)
  await expect(page.getByTestId('review-table')).toHaveCount(0)

  // ---- 益阳市商务局 confirms ----
  await switchUser(page, 'yy_bureau')
  await openMenu(page, '资金审核')
  const queue = page.getByTestId('review-table')
  await expect(queue).toContainText(PROJECT)
  await expect(queue).toContainText('5,000.00 万元')
  await expect(queue).toContainText('银行回单-2026年3月.pdf')
  await shot(page, 'ledger-10-review-queue')
  // The whole queue to Excel.
  const queueDownload = page.waitForEvent('download')
  await page.getByTestId('export-review').click()
  expect((await queueDownload).suggestedFilename()).toBe('待审核资金到位.xlsx')
  // 退回 needs a reason (checked, then cancelled).
  await queue.getByRole('button', { name: '退回' }).first().click()
  d = dialog(page)
  await d.getByRole('button', { name: '退回' }).click()
  await expect(d).toContainText('请填写退回原因')
  await shot(page, 'ledger-11-return-dialog')
  await d.getByRole('button', { name: '取消' }).click()
  await expect(dialog(page)).toHaveCount(0)

  // The re-entry made earlier waits in the duplicate pool beside this project: the city decides
  // the pair before it confirms money on either.
  await clearDuplicatePool(page, '经核实为同一项目的草稿录入，已另行处理')
  await page.reload()
  await settled(page)
  await queue.getByRole('button', { name: '确认' }).first().click()
  await page.locator('.el-message-box').getByRole('button', { name: '确认' }).click()
  await expect(queue).toContainText('暂无待审核')

  await page.goto(projectUrl)
  await expect(page.getByTestId('project-rate')).toHaveText('25.00%')
  await expect(page.getByTestId('project-classification')).toHaveText('良好')
  await expect(page.getByTestId('funds-table')).toContainText('已确认')
  // 修改记录: who entered, moved and confirmed what, with before and after on 详情.
  const history = page.getByTestId('project-history')
  await expect(history).toContainText('资金到位 · 确认')
  await expect(history).toContainText('项目 · 阶段变更')
  await expect(history).toContainText('项目 · 新增')
  await shot(page, 'ledger-12-project-confirmed')
  await history.locator('tr', { hasText: '阶段变更' }).getByRole('button', { name: '详情' }).first().click()
  await expect(page.getByTestId('audit-diff')).toContainText('已供地')
  await shot(page, 'ledger-12b-history-detail')
  await page.keyboard.press('Escape')

  await openMenu(page, '项目台账')
  const list = page.getByTestId('projects-table')
  const row = list.locator('tr.el-table__row', { hasText: PROJECT })
  await expect(row).toContainText('25.00%')
  await expect(row).toContainText('良好')

  // The projects signed that day: other browser tests sign 益阳 projects of their own (the
  // quarterly bulletin's, the duplicate pool's), and the figures here are this project's.
  await openMenu(page, '三率统计')
  await page.goto('/rates?signed_from=2026-01-10&signed_to=2026-01-10')
  await settled(page)
  await expect(page.getByTestId('rates-region')).toContainText('益阳市')
  await expect(page.getByTestId('rate-card-资金到位率')).toContainText('25.00%')
  await expect(page.getByTestId('rate-card-签约项目数')).toContainText('1')
  const rates = page.getByTestId('rates-table')
  const nanxian = rates.locator('tr.el-table__row', { hasText: '南县' })
  await expect(nanxian).toContainText('25.00%')
  await expect(nanxian).toContainText('5,000.00')
  await expect(page.getByTestId('rate-definitions')).toContainText('口径说明')
  await shot(page, 'ledger-13-rates')
  // The same table as an Excel report, named after the region and the time it stands at.
  const ratesDownload = page.waitForEvent('download')
  await page.getByTestId('export-rates').click()
  expect((await ratesDownload).suggestedFilename()).toMatch(/^三率统计_益阳市_.*\.xlsx$/)
})
