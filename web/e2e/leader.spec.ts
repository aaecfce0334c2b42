import { expect, test } from '@playwright/test'
import { creditCodeFor, login, openMenu, pickRegion, settled, shot } from './helpers'

test('the leaders dashboard drills from a chart to the list behind it and on to a project', async ({ page }) => {
  await login(page, 'hn_bureau')
  // A project of its own in 澧县, signed long ago and neither paid nor started: lagging.
  const name = '澧县E2E看板滞后项目'
  const created = await page.request.post('/api/projects', {
    data: {
      name,
      investor_name: '常德某新材料有限公司',
      origin: 'out_of_province',
      contract_fen: 6_000 * 1_000_000,
      signed_on: '2025-01-10',
      region_code: '430723',
      stage: 'signed',
      investor_credit_code: creditCodeFor(name),
    },
  })
  expect(created.status()).toBe(201)

  await openMenu(page, '领导看板')
  await expect(page.getByTestId('leader-scope')).toContainText('湖南省')
  await expect(page.getByTestId('leader-regions').locator('canvas')).toBeVisible()
  await shot(page, 'leader-province')

  // The header's scope narrows every figure to 澧县.
  await pickRegion(page, page.locator('.header-region'), ['湖南省', '常德市', '澧县'])
  await settled(page)
  await expect(page.getByTestId('leader-scope')).toContainText('澧县')
  await expect(page.getByTestId('leader-card-签约项目')).toContainText('1')
  await expect(page.getByTestId('leader-lagging')).toContainText(name)
  await shot(page, 'leader-county')

  // The classification ring holds one class (未履约): a click on it opens those projects.
  const ring = page.getByTestId('leader-classes')
  const box = await ring.boundingBox()
  if (!box) throw new Error('no chart')
  const radius = (Math.min(box.width, box.height) / 2) * 0.49
  await page.mouse.click(box.x + box.width / 2 + radius, box.y + box.height * 0.44)
  await expect(page).toHaveURL(/\/projects\?region=430723&not_fulfilled=true$/)
  await settled(page)
  await expect(page.getByTestId('filter-not-fulfilled').locator('input')).toBeChecked()
  const rows = page.locator('.el-table__body-wrapper tr.el-table__row')
  await expect(rows).toHaveCount(1)
  await rows.first().getByText(name).click()
  await expect(page).toHaveURL(/\/projects\/\d+$/)
  await expect(page.locator('body')).toContainText(name)

  // Back on the dashboard, the lagging list reaches the same project directly.
  await openMenu(page, '领导看板')
  await page.getByTestId('leader-lagging').getByText(name).click()
  await expect(page).toHaveURL(/\/projects\/\d+$/)

  // A problem of the project: the problems card counts it open, and its figure opens the
  // problem list on 澧县's open problems.
  const projectId = (await created.json()).project.id
  const problem = '澧县E2E看板问题：项目用地报批材料多次退回'
  const registered = await page.request.post('/api/problems', { data: { description: problem, category: 'land', project_id: projectId } })
  expect(registered.status(), await registered.text()).toBe(201)
  await openMenu(page, '领导看板')
  await settled(page)
  const open = page.getByTestId('leader-problem-open')
  await expect(open).toContainText('1')
  await page.getByTestId('leader-problems').scrollIntoViewIfNeeded()
  await shot(page, 'leader-problems')
  await open.click()
  await expect(page).toHaveURL(/\/problems\?region=430723&open=true$/)
  await settled(page)
  await expect(page.getByTestId('problem-linked-filter')).toHaveText(['地区：澧县', '未办结'])
  const listed = page.getByTestId('problems-table').locator('tr.el-table__row')
  await expect(listed).toHaveCount(1)
  await expect(listed.first()).toContainText(problem)
  await shot(page, 'leader-problems-list')
})
