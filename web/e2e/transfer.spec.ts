import { expect, test, type Page } from '@playwright/test'
import { login, openMenu, settled } from './helpers'

// Goals of issue 15 for a cold load (empty cache), in bytes on the wire.
const LOGIN_GOAL = 150 * 1024
const LEDGER_GOAL = 400 * 1024

interface Fetched {
  url: string
  bytes: number
  encoding: string
  type: string
}

/**
 * Everything `load` makes the page fetch, with the cache off, as DevTools' "transferred" counts
 * it: response headers plus the body as it came over the wire (compressed when it was).
 */
async function transferred(page: Page, load: () => Promise<void>): Promise<Fetched[]> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  const responses = new Map<string, Omit<Fetched, 'bytes'>>()
  const fetched: Fetched[] = []
  cdp.on('Network.responseReceived', ({ requestId, response, type }) => {
    const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]))
    responses.set(requestId, { url: response.url, encoding: headers['content-encoding'] ?? '', type })
  })
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const response = responses.get(requestId)
    if (response) fetched.push({ ...response, bytes: encodedDataLength })
  })
  await load()
  await settled(page)
  await cdp.detach()
  return fetched
}

function report(name: string, fetched: Fetched[]): number {
  const total = fetched.reduce((sum, f) => sum + f.bytes, 0)
  const largest = [...fetched].sort((a, b) => b.bytes - a.bytes).slice(0, 8)
  console.log(`${name}: ${fetched.length} responses, ${(total / 1024).toFixed(1)} KB transferred`)
  for (const f of largest) {
    console.log(`  ${(f.bytes / 1024).toFixed(1).padStart(7)} KB  ${f.encoding.padEnd(4)}  ${new URL(f.url).pathname}`)
  }
  return total
}

/** Scripts, styles and JSON worth compressing that came back without a Content-Encoding. */
function uncompressed(fetched: Fetched[]): string[] {
  return fetched
    .filter((f) => ['Script', 'Stylesheet', 'Fetch', 'XHR'].includes(f.type) && f.bytes > 1024 && !f.encoding)
    .map((f) => new URL(f.url).pathname)
}

/** A page of 桃江县 projects, so that the ledger loads a full page as a bureau sees it. */
async function ensureLedgerPage(page: Page): Promise<void> {
  const list = await (await page.request.get('/api/projects?page_size=20')).json()
  for (let i = list.total; i < 20; i++) {
    const created = await page.request.post('/api/projects', {
      data: {
        name: `桃江县竹木精深加工项目${i + 1}号（E2E传输量）`,
        investor_name: `湖南桃江竹业第${i + 1}有限公司`,
        origin: 'in_province',
        industry_code: '20',
        contract_fen: (i + 1) * 1_000_000_00,
        total_investment_fen: (i + 2) * 1_000_000_00,
        region_code: '430922',
        // Still being negotiated, so no signed-project figure of the other browser tests changes.
        stage: 'negotiating',
      },
    })
    expect(created.status(), await created.text()).toBe(201)
  }
}

test('the login page loads within 150 KB', async ({ page }) => {
  const fetched = await transferred(page, async () => {
    await page.goto('/login')
    await expect(page.getByRole('button', { name: '登 录' })).toBeVisible()
  })
  const total = report('login page', fetched)
  expect.soft(uncompressed(fetched), 'sent uncompressed').toEqual([])
  expect(total).toBeLessThanOrEqual(LOGIN_GOAL)
})

test('the ledger page loads within 400 KB once signed in', async ({ browser, page }) => {
  await login(page, 'tj_bureau')
  await ensureLedgerPage(page)

  // A fresh tab opening the ledger, as from a bookmark: the session cookie is kept, the
  // cache is not used.
  const ledger = await page.context().newPage()
  const fetched = await transferred(ledger, async () => {
    await ledger.goto('/projects')
    await expect(ledger.locator('.el-table__body tr.el-table__row')).toHaveCount(20)
  })
  const total = report('ledger page', fetched)

  // For the record: signing in on the login page lands on the dashboard (with its charts),
  // from where the menu opens the ledger.
  const fresh = await browser.newPage()
  const flow = await transferred(fresh, async () => {
    await login(fresh, 'tj_bureau')
    await settled(fresh)
    await openMenu(fresh, '项目台账')
    await expect(fresh.locator('.el-table__body tr.el-table__row')).toHaveCount(20)
  })
  report('sign-in, dashboard, then the ledger', flow)
  await fresh.close()

  expect.soft(uncompressed(fetched), 'sent uncompressed').toEqual([])
  expect(total).toBeLessThanOrEqual(LEDGER_GOAL)
})
