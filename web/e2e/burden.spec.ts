import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { actionCounter, creditCodeFor, login, settled } from './helpers'
import { fillSheet, sheetRows } from './xlsx'

// Grassroots burden (issue 16, docs/benchmarks.md “月度调度：基层填报负担”): 浏阳市's clerk
// (liuyang_bureau) reports the same 50 projects for two months of rounds opened by 长沙市 —
// 30 本月无变化, 15 with money arrived (100万元 each, with a bank receipt), 5 with a problem —
// once by hand on the pages (the month before last) and once by the month sheet (last month).
// The spec counts what the clerk does as it does it, and passes only when every project of
// both rounds is reported and every money row is a fund record with its receipt. The projects
// are signed in 浏阳市 and reviewed by 长沙市, so no figure another browser test reads moves.
const MARKER = 'E2E负担'
const COUNTY = '430181'
const CLERK = 'liuyang_bureau'
const NAMES = Array.from({ length: 50 }, (_, i) => `浏阳市${MARKER}项目${String(i + 1).padStart(2, '0')}`)
const UNCHANGED = NAMES.slice(0, 30)
const MONEY = NAMES.slice(30, 45)
const PROBLEM = NAMES.slice(45)
const AMOUNT_WAN = '100'
const PROGRESS = (name: string) => `${name.slice(-2)}号项目本月完成设备安装，完成投资100万元`
const PROBLEM_TEXT = '配套电力线路未接入，影响设备调试'
const receipt = (i: number) => ({
  name: `回单${String(i + 1).padStart(2, '0')}.pdf`,
  mimeType: 'application/pdf',
  buffer: Buffer.from(`%PDF-1.4\n% 银行回单 ${i + 1}\n%%EOF\n`),
})

/** The month `back` months before this one in Beijing: period and label. */
function monthBack(back: number): { period: string; label: string } {
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

test('a county clerk reports 50 projects by hand and by the month sheet; the burden is counted', async ({ page }, info) => {
  test.setTimeout(900_000)
  const byHand = monthBack(2)
  const bySheet = monthBack(1)
  const ids = new Map<string, number>()
  const rounds: Record<string, number> = {}

  await test.step('set-up through the API: 50 signed projects, two rounds opened by 长沙市', async () => {
    await login(page, CLERK)
    const signedOn = `${Number(byHand.period.slice(0, 4)) - 1}-03-15`
    for (const name of NAMES) {
      const created = await page.request.post('/api/projects', {
        data: {
          name,
          investor_name: '湖南浏阳某实业有限公司',
          origin: 'in_province',
          contract_fen: 10_000 * 1_000_000,
          signed_on: signedOn,
          region_code: COUNTY,
          stage: 'signed',
          investor_credit_code: creditCodeFor(name),
        },
      })
      expect(created.status(), await created.text()).toBe(201)
      ids.set(name, (await created.json()).project.id)
    }
    await switchUser(page, 'cs_bureau')
    for (const { period } of [byHand, bySheet]) {
      const opened = await page.request.post(`/api/dispatch/rounds?region=${COUNTY}&q=${encodeURIComponent(MARKER)}`, { data: { period } })
      expect(opened.status(), await opened.text()).toBe(201)
      expect((await opened.json()).project_count).toBe(50)
      rounds[period] = (await opened.json()).id
    }
    await switchUser(page, CLERK)
  })

  const hand = actionCounter(page)
  await test.step(`by hand: ${byHand.label}`, async () => {
    hand.start()
    await hand.click(page.locator('.el-aside .el-menu').getByText('月度调度', { exact: true }))
    await settled(page)
    await hand.click(page.getByTestId('rounds-table').getByRole('link', { name: `${byHand.label}项目调度` }))
    await settled(page)
    await expect(page.getByTestId('round-projects').locator('tr.el-table__row')).toHaveCount(50)
    const dialog = page.getByTestId('update-dialog')
    // The dialog fills its form from the server when it opens: typing starts after that.
    const openUpdate = async (name: string) => {
      const loaded = page.waitForResponse((r) => r.url().includes('/api/dispatch/updates?'))
      await hand.click(projectRow(page, name).getByTestId('fill-update'))
      await loaded
      await expect(dialog.locator('.el-loading-mask:visible')).toHaveCount(0)
    }

    // Five with a problem: progress, the problem and its category, in the update dialog.
    for (const name of PROBLEM) {
      await openUpdate(name)
      await hand.fill(dialog.getByTestId('update-progress'), PROGRESS(name))
      await hand.click(dialog.getByTestId('add-problem'))
      await hand.fill(dialog.getByTestId('problem-text'), PROBLEM_TEXT)
      await hand.click(dialog.getByTestId('problem-category'))
      await hand.click(page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '要素保障' }))
      await hand.click(dialog.getByTestId('submit-update'))
      await expect(projectRow(page, name).getByTestId('update-state')).toHaveText('已报')
    }

    // Fifteen with money: the amount goes in the update dialog — entered for review for the
    // round's month, never typed — and the receipt on the record it entered, in the same dialog.
    for (const [i, name] of MONEY.entries()) {
      await openUpdate(name)
      await hand.fill(dialog.getByTestId('update-progress'), PROGRESS(name))
      await hand.fill(dialog.getByTestId('update-amount'), AMOUNT_WAN)
      if (i === 0) await dialog.screenshot({ path: 'test-results/screenshots/burden-update-with-money.png', animations: 'disabled' })
      await hand.click(dialog.getByTestId('submit-update'))
      const evidence = dialog.getByTestId('update-arrival').getByTestId('fund-evidence')
      await hand.choose(evidence.locator('input[type=file]'), receipt(i))
      await expect(evidence).toContainText(receipt(i).name)
      if (i === 0) await dialog.screenshot({ path: 'test-results/screenshots/burden-update-receipt.png', animations: 'disabled' })
      await hand.click(dialog.getByTestId('close-update'))
      await expect(projectRow(page, name).getByTestId('update-state')).toHaveText('已报')
    }

    // Thirty 本月无变化: the ones left, chosen together.
    await hand.click(page.getByTestId('filter-update-status'))
    await hand.click(page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '未填报' }))
    await expect(page.getByTestId('round-projects').locator('tr.el-table__row')).toHaveCount(30)
    await hand.click(page.getByTestId('round-projects').locator('.el-table__header .el-checkbox'))
    await expect(page.getByTestId('batch-unchanged')).toContainText('（30）')
    await page.locator('.el-message').evaluateAll((els) => els.forEach((e) => e.remove()))
    await hand.click(page.getByTestId('batch-unchanged'))
    await expect(page.locator('.el-message-box')).toContainText('将所选 30 个项目报送为“本月无变化”')
    await page.screenshot({ path: 'test-results/screenshots/burden-01-batch-unchanged.png', animations: 'disabled' })
    await hand.click(page.locator('.el-message-box').getByRole('button', { name: '报送' }))
    await expect(page.locator('.el-message--success', { hasText: '已报送 30 个项目：本月无变化' }).first()).toBeVisible()
    await expect(page.getByTestId('round-progress')).toContainText('已报 50 / 50')
    hand.stop()
    await page.getByTestId('filter-update-status').click()
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '全部' }).click()
    await page.screenshot({ path: 'test-results/screenshots/burden-02-by-hand-done.png', fullPage: true, animations: 'disabled' })
  })

  const sheet = actionCounter(page)
  let downloads = 0
  let cellsFilled = 0
  const name = `月度调度表_${bySheet.period}.xlsx`
  const blank = info.outputPath('downloaded', name)
  const filled = info.outputPath('filled', name)
  await test.step(`by the month sheet: ${bySheet.label}`, async () => {
    await page.goto('/')
    await settled(page)
    sheet.start()
    await sheet.click(page.locator('.el-aside .el-menu').getByText('月度调度', { exact: true }))
    await settled(page)
    await sheet.click(page.getByTestId('rounds-table').getByRole('link', { name: `${bySheet.label}项目调度` }))
    await settled(page)
    const downloading = page.waitForEvent('download')
    await sheet.click(page.getByTestId('download-month-sheet'))
    const download = await downloading
    downloads++
    await download.saveAs(blank)
    sheet.stop()

    // Offline, as in Excel: last month's words are in the sheet for the unchanged ones.
    const rows = sheetRows(readFileSync(blank))
    expect(rows.length).toBe(51)
    const lastProgress = rows[0].indexOf('上月进展')
    expect(rows.find((r) => r[1] === MONEY[0])?.[lastProgress]).toBe(PROGRESS(MONEY[0]))
    const cells: Record<string, Record<string, string>> = {}
    for (const n of UNCHANGED) cells[n] = { 本月无变化: '是' }
    for (const [i, n] of MONEY.entries()) {
      cells[n] = { 本月进展: PROGRESS(n), '本月到位金额（万元/万美元）': AMOUNT_WAN, 资金类型: '固定资产投资', 回单文件: receipt(i).name }
    }
    for (const n of PROBLEM) cells[n] = { 本月进展: PROGRESS(n), 存在问题: PROBLEM_TEXT, 问题类别: '要素保障' }
    const result = fillSheet(readFileSync(blank), '项目名称', cells)
    cellsFilled = result.cellsFilled
    mkdirSync(dirname(filled), { recursive: true })
    writeFileSync(filled, result.workbook)

    sheet.start()
    await sheet.click(page.getByTestId('upload-month-sheet'))
    const dialog = page.getByTestId('month-sheet-dialog')
    await sheet.choose(dialog.getByTestId('sheet-receipts').locator('input[type=file]'), MONEY.map((_, i) => receipt(i)))
    await sheet.choose(dialog.locator('.upload input[type=file]'), filled)
    await expect(dialog.getByTestId('month-sheet-preview')).toContainText('共 50 行，有效 50 行，错误 0 处')
    await expect(dialog.getByTestId('month-sheet-summary')).toContainText('将报送 50 个项目（本月无变化 30 个，填报到位资金 15 笔）')
    await expect(dialog.getByTestId('month-sheet-receipts')).toContainText('15 行已匹配回单')
    await page.screenshot({ path: 'test-results/screenshots/burden-03-sheet-preview.png', animations: 'disabled' })
    await sheet.click(dialog.getByTestId('sheet-commit'))
    await expect(page.locator('.el-message--success', { hasText: '已报送 50 个项目的本月进展' }).first()).toBeVisible()
    await expect(page.getByTestId('round-progress')).toContainText('已报 50 / 50')
    sheet.stop()
  })

  await test.step('both rounds are complete, and every money row is a fund record with its receipt', async () => {
    for (const { period } of [byHand, bySheet]) {
      const board = await page.request.get(`/api/dispatch/rounds/${rounds[period]}/board`)
      const b = await board.json()
      expect(b.round.submitted, period).toBe(50)
      expect(b.rows.map((r: { status: string }) => r.status), period).toEqual(['已报'])
      const updates = await page.request.get(`/api/dispatch/rounds/${rounds[period]}/projects`)
      const unchanged = []
      for (const p of await updates.json()) {
        expect(p.update_status, `${p.name} ${period}`).toBe('submitted')
        const u = await (await page.request.get(`/api/dispatch/updates?project_id=${p.project_id}&period=${period}`)).json()
        if (u.current.unchanged) unchanged.push(p.name)
        if (PROBLEM.includes(p.name)) expect(u.current.problems, p.name).toEqual([{ text: PROBLEM_TEXT, category: '要素保障', help_asked: false }])
      }
      expect(unchanged.sort(), period).toEqual([...UNCHANGED].sort())
    }
    for (const n of MONEY) {
      const answer = await page.request.get(`/api/projects/${ids.get(n)}/funds`)
      expect(answer.status(), await answer.text()).toBe(200)
      const funds = await answer.json()
      const mine = (funds as { period: string; amount: number; status: string; evidence_count: number }[]).map((f) => [f.period, f.amount, f.status, f.evidence_count])
      expect(mine.sort(), n).toEqual([
        [byHand.period, 100 * 1_000_000, 'entered', 1],
        [bySheet.period, 100 * 1_000_000, 'entered', 1],
      ])
    }
  })

  const figures = {
    projects: { total: 50, unchanged: UNCHANGED.length, money: MONEY.length, problem: PROBLEM.length },
    byHand: { ...hand.counts, seconds: Math.round(hand.counts.seconds), visited: hand.visited.length },
    bySheet: { ...sheet.counts, seconds: Math.round(sheet.counts.seconds), downloads, uploads: 1, confirms: 1, cellsFilled },
  }
  // The sheet: one download, one upload (the sheet with its receipts), one confirm, nothing
  // typed in the browser, each fact written once in its cell.
  expect(figures.bySheet).toMatchObject({ downloads: 1, fieldsTyped: 0 })
  expect(cellsFilled).toBe(30 + 15 * 4 + 5 * 3)
  console.log(`基层填报负担 ${JSON.stringify(figures)}`)
  await info.attach('burden.json', { body: JSON.stringify(figures, null, 2), contentType: 'application/json' })
})
