import { expect, test } from '@playwright/test'
import { formItem, login, openDialog, openMenu, pageShot } from './helpers'

// One investor signs the same project with 沅江市 and then with 南县. 南县 is told that its
// project looks like a project elsewhere, without being shown that project; 益阳市, above
// both counties, sees the pair and decides it.
const NAME = '洞庭湖智慧冷链物流园项目（E2E跨县）'

function project(region: string) {
  return {
    name: NAME,
    investor_name: '湖南洞庭冷链供应链有限公司',
    investor_credit_code: '91430981MA4R8K2X50',
    origin: 'in_province',
    industry_code: '59',
    contract_fen: 150_000_000_00,
    total_investment_fen: 200_000_000_00,
    region_code: region,
    // Still being negotiated, so no signed-project figure of the other browser tests changes.
    stage: 'negotiating',
  }
}

test('a look-alike in another county is hidden from the county and decided by the city', async ({ browser }) => {
  const city = await browser.newPage()
  await login(city, 'yy_bureau')
  const first = await city.request.post('/api/projects', { data: project('430981') })
  expect(first.status(), await first.text()).toBe(201)

  const county = await browser.newPage()
  await login(county, 'nx_bureau')
  const second = await county.request.post('/api/projects', { data: project('430921') })
  expect(second.status(), await second.text()).toBe(201)
  await openMenu(county, '重复核查')
  const hidden = county.getByTestId('duplicates-table').locator('tr.el-table__row', { hasText: NAME })
  await expect(hidden).toContainText('本级范围以外的项目')
  await expect(hidden).toContainText('待上级核查')
  await expect(hidden).toContainText('同一投资方统一社会信用代码')
  await expect(hidden).not.toContainText('沅江市')
  await expect(hidden.getByRole('button', { name: '确认重复' })).toHaveCount(0)
  // Only 南县's own project is a link; the other one is not named at all.
  await expect(hidden.locator('a.link')).toHaveCount(1)
  await pageShot(county, 'duplicates-01-county-sees-a-hidden-look-alike')

  await openMenu(city, '重复核查')
  const pair = city.getByTestId('duplicates-table').locator('tr.el-table__row', { hasText: NAME })
  await expect(pair.locator('a.link')).toHaveCount(2)
  await expect(pair).toContainText('南县')
  await pageShot(city, 'duplicates-02-city-sees-both')
  await pair.getByRole('button', { name: '确认重复' }).click()
  const d = openDialog(city)
  await expect(d).toContainText(NAME)
  await formItem(d, '核查说明').locator('textarea').fill('同一投资方同一项目在两县分别签约，以先签约的县为准')
  await d.getByRole('button', { name: '提交结论' }).click()
  await expect(city.locator('.el-message--success')).toContainText('已核查：确认重复')

  // 南县 sees the city's conclusion on its project, still without the other project.
  await county.getByTestId('duplicate-status').getByText('确认重复').click()
  const decided = county.getByTestId('duplicates-table').locator('tr.el-table__row', { hasText: NAME })
  await expect(decided).toContainText('徐红梅')
  await expect(decided).toContainText('本级范围以外的项目')
  await pageShot(county, 'duplicates-03-county-sees-the-decision')
})
