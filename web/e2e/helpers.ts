import { expect, type Locator, type Page } from '@playwright/test'

export const PASSWORD = 'Luodi@2026'

export async function login(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto('/login')
  await page.getByLabel('用户名', { exact: true }).fill(username)
  await page.getByLabel('密码', { exact: true }).fill(password)
  await page.getByRole('button', { name: '登 录' }).click()
  await expect(page).toHaveURL(/\/$/)
  await expect(page.getByTestId('current-user')).not.toBeEmpty()
}

/** Waits until no Element Plus loading mask is showing. */
export async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle')
  await expect(page.locator('.el-loading-mask:visible')).toHaveCount(0)
}

export async function shot(page: Page, name: string): Promise<void> {
  await settled(page)
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true, animations: 'disabled' })
}

export function sideMenu(page: Page): Locator {
  return page.locator('.el-aside .el-menu')
}

export async function openMenu(page: Page, title: string): Promise<void> {
  await sideMenu(page).getByText(title, { exact: true }).click()
  await settled(page)
}

/** The dropdown of the cascader that is open right now. */
export function openCascader(page: Page): Locator {
  return page.locator('.el-cascader__dropdown:visible')
}

/** Walks a lazy check-strictly cascader down `names` and selects the last one. */
export async function pickRegion(page: Page, cascader: Locator, names: string[]): Promise<void> {
  await cascader.click()
  const dropdown = openCascader(page)
  for (const [i, name] of names.entries()) {
    const node = dropdown.locator('.el-cascader-menu').nth(i).locator('.el-cascader-node', { hasText: name }).first()
    await expect(node).toBeVisible()
    if (i < names.length - 1) await node.click()
    else await node.locator('.el-radio').click()
  }
  await page.keyboard.press('Escape')
}

/** The texts of one column of the first visible el-table, by its header label. */
export async function columnTexts(table: Locator, header: string): Promise<string[]> {
  const headers = await table.locator('.el-table__header-wrapper th').allInnerTexts()
  const index = headers.findIndex((h) => h.trim() === header)
  expect(index, `column ${header} in ${headers.join('|')}`).toBeGreaterThanOrEqual(0)
  return (await table.locator(`.el-table__body-wrapper tr.el-table__row > td:nth-child(${index + 1})`).allInnerTexts()).map(
    (t) => t.trim(),
  )
}

/** Switches the page's pagination to its largest page size. */
export async function showAllRows(page: Page): Promise<void> {
  await page.locator('.el-pagination .el-select').click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').last().click()
  await settled(page)
}

/**
 * A screenshot of the whole page: the layout scrolls inside el-main, so the window is made as
 * tall as the content first (unless a dialog is open). Toasts are removed so they do not
 * cover the page.
 */
export async function pageShot(page: Page, name: string): Promise<void> {
  await settled(page)
  await page.locator('.el-message').evaluateAll((els) => els.forEach((e) => e.remove()))
  const dialogOpen = (await page.locator('.el-dialog:visible, .el-message-box:visible').count()) > 0
  const height = dialogOpen ? 900 : await page.locator('.el-main').evaluate((el) => el.scrollHeight + 60)
  await page.setViewportSize({ width: 1440, height: Math.max(900, height) })
  await shot(page, name)
  await page.setViewportSize({ width: 1440, height: 900 })
}

/** The dialog open right now. */
export function openDialog(page: Page): Locator {
  return page.locator('.el-dialog:visible')
}

/** The form item within `scope` whose label is exactly `label`. */
export function formItem(scope: Locator, label: string): Locator {
  return scope
    .locator('.el-form-item')
    .filter({ has: scope.page().locator('.el-form-item__label', { hasText: new RegExp(`^${label}$`) }) })
}

/**
 * Counts what a user does in the browser while on, for docs/benchmarks.md: page visits (changes
 * of the path in the address bar), clicks, fields typed, files chosen, and the wall time spent.
 * The spec performs its actions through it, so the counts are the spec's own.
 */
export function actionCounter(page: Page) {
  const counts = { pageVisits: 0, clicks: 0, fieldsTyped: 0, filesChosen: 0, seconds: 0 }
  const visited: string[] = []
  let on = false
  let path = ''
  let since = 0
  page.on('framenavigated', (frame) => {
    if (frame !== page.mainFrame()) return
    const next = new URL(frame.url()).pathname
    if (on && next !== path) {
      counts.pageVisits++
      visited.push(next)
    }
    path = next
  })
  return {
    counts,
    visited,
    start: () => {
      path = new URL(page.url()).pathname
      since = Date.now()
      on = true
    },
    stop: () => {
      if (on) counts.seconds += (Date.now() - since) / 1000
      on = false
    },
    click: async (target: Locator) => {
      if (on) counts.clicks++
      await target.click()
    },
    fill: async (target: Locator, text: string) => {
      if (on) counts.fieldsTyped++
      await target.fill(text)
    },
    choose: async (target: Locator, files: Parameters<Locator['setInputFiles']>[0]) => {
      if (on) counts.filesChosen++
      await target.setInputFiles(files)
    },
    /** The browser's back button: one click. */
    back: async () => {
      if (on) counts.clicks++
      await page.goBack()
    },
  }
}

/** Has the signed-in reviewer (of the level above) clear every pending pair in its pool as 不是重复. */
export async function clearDuplicatePool(page: Page, note: string): Promise<void> {
  // A page at a time until no pending pair this account may decide is left (22 look-alikes
  // make 231 pairs).
  for (;;) {
    const pool = await page.request.get('/api/duplicates?status=pending&page_size=100')
    expect(pool.status(), await pool.text()).toBe(200)
    const open = ((await pool.json()).items as { id: number; can_decide: boolean }[]).filter((p) => p.can_decide)
    if (open.length === 0) return
    for (const pair of open) {
      const decided = await page.request.post(`/api/duplicates/${pair.id}/decision`, { data: { status: 'not_duplicate', note } })
      expect(decided.status(), await decided.text()).toBe(200)
    }
  }
}

const CREDIT_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

/**
 * A valid 统一社会信用代码 (GB 32100) made from a project's name, for projects the specs sign
 * through the API: a signed project needs its investor's code (or a reason), and a code of its
 * own per name puts no pair in the duplicate pool that a spec did not plant, whichever worker
 * runs it.
 */
export function creditCodeFor(name: string): string {
  let hash = 2166136261
  for (const ch of name) hash = Math.imul(hash ^ ch.codePointAt(0)!, 16777619) >>> 0
  let body = ''
  for (let i = 0; i < 7; i++) {
    body += CREDIT_CHARSET[hash % 31]
    hash = Math.floor(hash / 31) || Math.imul(hash + i + 1, 2654435761) >>> 0
  }
  const first17 = `91430000MA${body}`
  let sum = 0
  let weight = 1
  for (let i = 0; i < 17; i++) {
    sum += CREDIT_CHARSET.indexOf(first17[i]) * weight
    weight = (weight * 3) % 31
  }
  return first17 + CREDIT_CHARSET[(31 - (sum % 31)) % 31]
}

/** What a spec writes as 无代码原因 for an investor not yet registered. */
export const NO_CODE_REASON = '投资主体尚未注册，注册后补填代码'
