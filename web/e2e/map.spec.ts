import { expect, test } from '@playwright/test'
import { columnTexts, creditCodeFor, login, openMenu, settled, shot } from './helpers'

test('the province bureau shades its map, drills from the province to a county and on to its projects', async ({ page }) => {
  await login(page, 'hn_bureau')
  // Projects of their own in 常德 and 湘潭, away from the 益阳 figures other tests check.
  for (const [name, region, wan] of [
    ['安乡县E2E地图项目一', '430721', 8_000],
    ['安乡县E2E地图项目二', '430721', 2_000],
    ['湘潭县E2E地图项目', '430321', 5_000],
  ] as const) {
    const created = await page.request.post('/api/projects', {
      data: {
        name,
        investor_name: '湖南某实业有限公司',
        origin: 'in_province',
        contract_fen: wan * 1_000_000,
        signed_on: '2026-03-10',
        region_code: region,
        stage: 'signed',
        investor_credit_code: creditCodeFor(name),
      },
    })
    expect(created.status()).toBe(201)
  }
  await openMenu(page, '招商地图')
  await expect(page).toHaveURL(/\/map$/)
  await expect(page.getByTestId('map-here')).toHaveText('湖南省')
  const chart = page.getByTestId('map-chart')
  await expect(chart.locator('canvas')).toBeVisible()
  // The table beside the map ranks the prefectures with the figures of the 三率 report.
  const table = page.getByTestId('map-table')
  await expect(table.getByTestId('map-row-430700')).toHaveText('常德市')
  await expect(table.getByTestId('map-row-430300')).toHaveText('湘潭市')
  await shot(page, 'map-province-arrival-rate')
  await page.getByTestId('map-measure').getByText('签约项目数').click()
  await settled(page)
  const counts = (await columnTexts(table, '签约项目')).map(Number)
  expect(counts.length).toBeGreaterThan(1)
  expect([...counts].sort((a, b) => b - a), 'ranked by the chosen measure').toEqual(counts)
  await shot(page, 'map-province-projects')

  // A click on the map itself: the middle of Hunan lies in one of its prefectures.
  const box = await chart.boundingBox()
  if (!box) throw new Error('no map')
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
  await expect(page).toHaveURL(/\/map\/43\d{2}00$/)
  await expect(page.getByTestId('map-trail')).toContainText('湖南省')
  await expect(page.getByTestId('map-trail').locator('.el-breadcrumb__item')).toHaveCount(2)
  await page.getByTestId('map-trail').getByText('湖南省').click()
  await expect(page).toHaveURL(/\/map\/430000$/)

  await page.getByTestId('map-table').getByTestId('map-row-430700').click()
  await expect(page).toHaveURL(/\/map\/430700$/)
  await expect(page.getByTestId('map-here')).toHaveText('常德市')
  await expect(page.getByTestId('map-trail')).toContainText('湖南省')
  await expect(page.getByTestId('map-table').getByTestId('map-row-430721')).toHaveText('安乡县')
  await shot(page, 'map-city')

  // A county is the last level drawn: it opens the county's projects.
  await page.getByTestId('map-table').getByTestId('map-row-430721').click()
  await expect(page).toHaveURL(/\/projects\?region=430721$/)
  await settled(page)
  const places = await columnTexts(page.locator('.el-table').first(), '落户地')
  expect(places).toHaveLength(2)
  for (const place of places) expect(place).toContain('安乡县')
})

test('a county bureau sees its own county on its city\'s outline, and no other region\'s figures', async ({ page }) => {
  await login(page, 'nx_bureau')
  await openMenu(page, '招商地图')
  await expect(page.getByTestId('map-here')).toHaveText('南县')
  await expect(page.getByTestId('map-chart').locator('canvas')).toBeVisible()
  await expect(page.getByTestId('map-table').locator('.el-table__row')).toHaveCount(1)
  await expect(page.getByTestId('map-row-430921')).toHaveText('南县')
  await shot(page, 'map-county')
  // 南县's account reaches no prefecture's figures: the page says so instead of drawing them.
  await page.goto('/map/430900')
  await settled(page)
  await expect(page.getByTestId('map-chart')).toHaveCount(0)
  await expect(page.getByTestId('map-failure')).toContainText('不在您的管辖范围内')
})

test('a county bureau places a project on the map from its page, and the point is drawn and counted', async ({ page }) => {
  await login(page, 'nx_bureau')
  const created = await page.request.post('/api/projects', {
    data: {
      name: '南县E2E地图标注项目',
      investor_name: '湖南某农业科技有限公司',
      origin: 'in_province',
      contract_fen: 6_000 * 1_000_000,
      signed_on: '2026-04-08',
      region_code: '430921',
      stage: 'signed',
      investor_credit_code: creditCodeFor('南县E2E地图标注项目'),
    },
  })
  expect(created.status()).toBe(201)
  const id = (await created.json()).project.id as number
  const before = await (await page.request.get('/api/map/markers')).json()

  await page.goto(`/projects/${id}`)
  await page.getByTestId('project-locate').click()
  await expect(page).toHaveURL(new RegExp(`/map/430921\\?place=project(:|%3A)${id}$`))
  await expect(page.getByTestId('map-placing')).toContainText('南县E2E地图标注项目')
  const chart = page.getByTestId('map-chart')
  await expect(chart.locator('canvas')).toBeVisible()
  await expect(page.getByTestId('map-counts')).toContainText(`未标注 ${before.unplaced} 个`)
  const box = await chart.boundingBox()
  if (!box) throw new Error('no map')
  // Any spot of the drawn outline: the point is kept wherever the bureau clicks.
  // A click that lands while the chart is still being redrawn (its points arriving) can be
  // lost: click again until the point is taken.
  await expect(async () => {
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
    await expect(page.getByText('已标注「南县E2E地图标注项目」的位置')).toBeVisible({ timeout: 2_000 })
  }).toPass({ timeout: 20_000 })
  await expect(page.getByTestId('map-placing')).toHaveCount(0)
  await expect(page).toHaveURL(/\/map\/430921$/)
  await expect(page.getByTestId('map-counts')).toContainText(`已标注位置的项目 ${before.placed + 1} 个`)
  await expect(page.getByTestId('map-counts')).toContainText(`未标注 ${before.unplaced - 1} 个`)
  const after = await (await page.request.get('/api/map/markers')).json()
  const point = after.projects.find((p: { id: number }) => p.id === id)
  expect(point, 'the project is among the markers').toBeTruthy()
  // Drawn on 益阳市's outline, so the point lies within the prefecture's longitudes and latitudes.
  expect(point.lng).toBeGreaterThan(111.0)
  expect(point.lng).toBeLessThan(113.5)
  expect(point.lat).toBeGreaterThan(27.5)
  expect(point.lat).toBeLessThan(29.8)
  await shot(page, 'map-county-placed')

  // The zone picker places a zone the same way.
  await page.getByTestId('map-zone-place').click()
  await page.getByRole('option', { name: '南县经济开发区' }).click()
  await expect(page.getByTestId('map-placing')).toContainText('南县经济开发区')
  await expect(async () => {
    await page.mouse.click(box.x + box.width / 2 + 20, box.y + box.height / 2 + 20)
    await expect(page.getByText('已标注「南县经济开发区」的位置')).toBeVisible({ timeout: 2_000 })
  }).toPass({ timeout: 20_000 })
  await expect(page.getByTestId('map-counts')).toContainText('园区（乡镇）点位 1 个')
})
