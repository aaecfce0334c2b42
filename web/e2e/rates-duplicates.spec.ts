import { expect, test, type Page } from '@playwright/test'
import { formItem, login, openDialog, openMenu, pageShot, settled } from './helpers'

// A project signed in 南县 is entered again by 沅江市 (the same investor), reworded, with the
// county's name in front and in traditional characters (issue 19). Neither
// county may decide the pair; 益阳市, above both, compares the two side by side with the
// reasons, confirms the later entry as a copy, and its 三率 no longer count it.
// (Named rates-… so that it runs after ledger.spec.ts, whose 三率 figures it would change.)
const ORIGINAL = '华腾新材料年产5万吨高性能碳纤维项目（E2E重复）'
const COPY = '沅江市華騰新材料5萬噸碳纖維產業園項目（E2E重复）'

function project(name: string, region: string) {
  return {
    name,
    investor_name: '湖南华腾新材料科技股份有限公司',
    investor_credit_code: '91430900MA4L7P2K3D',
    origin: 'in_province',
    industry_code: '30',
    contract_fen: 300_000_000_00,
    total_investment_fen: 350_000_000_00,
    signed_on: '2026-05-20',
    region_code: region,
    stage: 'signed',
  }
}

/** The 签约项目数 of a county's row on the 三率 page (a county with none has no row). */
async function signedIn(page: Page, county: string): Promise<number> {
  await expect(page.getByTestId('rates-table')).toContainText('合计')
  const row = page.getByTestId('rates-table').locator('tr.el-table__row', { hasText: county })
  if ((await row.count()) === 0) return 0
  return Number((await row.locator('td').nth(1).innerText()).trim())
}

test('the city compares a copy from two of its counties, confirms it, and 三率 drop it', async ({ browser }) => {
  const nx = await browser.newPage()
  await login(nx, 'nx_bureau')
  const first = await nx.request.post('/api/projects', { data: project(ORIGINAL, '430921') })
  expect(first.status(), await first.text()).toBe(201)
  const yj = await browser.newPage()
  await login(yj, 'yyx_bureau')
  const second = await yj.request.post('/api/projects', { data: project(COPY, '430981') })
  expect(second.status(), await second.text()).toBe(201)
  const copyId = (await second.json()).project.id as number

  // 沅江市 is told a look-alike exists but may not decide it.
  await openMenu(yj, '重复核查')
  const told = yj.getByTestId('duplicates-table').locator('tr.el-table__row', { hasText: COPY })
  await expect(told).toContainText('待上级核查')
  await expect(told.getByRole('button', { name: '确认重复' })).toHaveCount(0)

  const city = await browser.newPage()
  await login(city, 'yy_bureau')
  await openMenu(city, '三率统计')
  await settled(city)
  const before = await signedIn(city, '沅江市')
  expect(before).toBeGreaterThanOrEqual(1)

  await openMenu(city, '重复核查')
  const pair = city.getByTestId('duplicates-table').locator('tr.el-table__row', { hasText: COPY })
  await expect(pair).toContainText(ORIGINAL)
  await expect(pair).toContainText('同一投资方统一社会信用代码')
  await pair.getByRole('button', { name: '确认重复' }).click()
  const d = openDialog(city)
  const compare = d.getByTestId('pair-compare')
  await expect(compare).toContainText(COPY)
  await expect(compare).toContainText(ORIGINAL)
  await expect(compare.locator('tr', { hasText: '所在地' })).toContainText('沅江市')
  await expect(compare.locator('tr', { hasText: '所在地' })).toContainText('南县')
  await expect(compare.locator('tr.same', { hasText: '统一社会信用代码' })).toHaveCount(1)
  await expect(d.getByTestId('pair-reasons')).toContainText('同一投资方统一社会信用代码')
  await expect(d.getByTestId('pair-reasons')).toContainText('产能相同：年产5万吨')
  await expect(d.getByTestId('pair-reasons')).toContainText('落户地不同')
  expect(Number((await d.getByTestId('decision-score').innerText()).split('/')[0].trim())).toBeGreaterThanOrEqual(80)
  await formItem(d, '核查说明').locator('textarea').fill('同一投资方同一碳纤维项目在南县签约后又由沅江市录入，以南县为准')
  await pageShot(city, 'duplicates-10-city-compares-side-by-side')
  await d.getByRole('button', { name: '提交结论' }).click()
  await expect(city.locator('.el-message--success')).toContainText('已核查：确认重复')

  await openMenu(city, '三率统计')
  await settled(city)
  expect(await signedIn(city, '沅江市')).toBe(before - 1)
  await pageShot(city, 'duplicates-11-rates-drop-the-copy')

  // Kept, and marked: the copy's own page says it no longer counts.
  await yj.goto(`/projects/${copyId}`)
  await expect(yj.getByTestId('project-duplicate')).toBeVisible()
  await pageShot(yj, 'duplicates-12-the-copy-is-kept-and-marked')
})
