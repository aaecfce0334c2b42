import { expect, test, type Page } from '@playwright/test'
import { creditCodeFor, formItem, login, openDialog, openMenu, pageShot, settled } from './helpers'

// The province sets up this year's 签约项目资金到位倍增行动 from the Hunan example (province-level
// events of the two years before, plus new 三类500强); its page shows the projects classified
// by the campaign's thresholds, its rates against the 20% goal and what the current phase
// requires. The province raises its goal through the same dialog, prefilled. 南县 then opens the
// same campaign and sees only its own projects, and may not edit it.

async function switchUser(page: Page, username: string): Promise<void> {
  await page.context().clearCookies()
  await login(page, username)
}

test('the campaign page shows its projects classified, for each reader its own', async ({ page }) => {
  test.setTimeout(180_000)
  const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()))
  const name = `${year}年签约项目资金到位倍增行动`

  await test.step('the province sets up the campaign from the Hunan example', async () => {
    await login(page, 'hn_bureau')
    // 三类500强 projects signed last year, in 南县 and in 长沙县, so the campaign selects some
    // projects whatever the other tests left in the shared database.
    for (const [label, region, wan] of [
      ['南县E2E专项行动500强项目', '430921', 12_000],
      ['长沙县E2E专项行动500强项目', '430121', 30_000],
    ] as const) {
      const created = await page.request.post('/api/projects', {
        data: {
          name: label,
          investor_name: '某世界500强企业（中国）投资有限公司',
          origin: 'out_of_province',
          contract_fen: wan * 1_000_000,
          signed_on: `${year - 1}-06-18`,
          region_code: region,
          stage: 'signed',
          investor_credit_code: creditCodeFor(label),
          global500: true,
        },
      })
      expect(created.status(), await created.text()).toBe(201)
    }
    await openMenu(page, '专项行动')
    await page.getByTestId('new-campaign').click()
    const dialog = openDialog(page)
    await dialog.getByTestId('campaign-example').click()
    await expect(dialog.getByTestId('campaign-name')).toHaveValue(name)
    await pageShot(page, 'campaigns-01-new')
    await dialog.getByTestId('campaign-save').click()
    await expect(page).toHaveURL(/\/campaigns\/\d+$/)
    await settled(page)
  })

  let provinceTotal = 0
  await test.step('its page classifies its projects and shows the current phase', async () => {
    await expect(page.getByTestId('campaign-title')).toHaveText(name)
    const classes = page.getByTestId('campaign-classes')
    await expect(classes).toContainText('优秀')
    await expect(classes).toContainText('未履约')
    const counts = (await classes.locator('.count').allInnerTexts()).map(Number)
    provinceTotal = counts.reduce((a, b) => a + b, 0)
    expect(provinceTotal).toBeGreaterThan(0)
    const tags = page.getByTestId('campaign-project-class')
    await expect(tags.first()).toBeVisible()
    for (const t of await tags.allInnerTexts()) expect(['优秀', '良好', '一般', '未履约', '合同金额未填']).toContain(t.trim())
    await expect(page.getByTestId('campaign-goal').first()).toContainText('资金到位率')
    await expect(page.getByTestId('campaign-goal').first()).toContainText('目标 ≥ 20.00%')
    // Today lies in 回头看 (mid-November to December) or an earlier phase of this year.
    await expect(page.getByTestId('campaign-current-phase')).not.toContainText('各阶段均已结束')
    await expect(page.getByTestId('campaign-regions')).toContainText('益阳市')
    await pageShot(page, 'campaigns-02-province')
  })

  await test.step('the province raises its goal in the same dialog, prefilled', async () => {
    await page.getByTestId('campaign-edit').click()
    const dialog = openDialog(page)
    await expect(dialog.getByTestId('campaign-name')).toHaveValue(name)
    const goal = formItem(dialog, '目标').locator('.el-input-number input').first()
    await expect(goal).toHaveValue('20.00')
    await goal.fill('25')
    await goal.press('Tab')
    await pageShot(page, 'campaigns-04-edit')
    await dialog.getByTestId('campaign-save').click()
    await expect(dialog).toBeHidden()
    await expect(page.getByTestId('campaign-goal').first()).toContainText('目标 ≥ 25.00%')
  })

  await test.step('南县 reads the province campaign over its own projects only', async () => {
    await switchUser(page, 'nx_bureau')
    await openMenu(page, '专项行动')
    await page.getByTestId('campaigns-table').getByText(name).click()
    await settled(page)
    await expect(page.getByTestId('campaign-title')).toHaveText(name)
    const counties = (await page.getByTestId('campaign-projects').locator('tr.el-table__row td:nth-child(2)').allInnerTexts()).map((t) =>
      t.trim(),
    )
    for (const c of counties) expect(c).toBe('南县')
    const counts = (await page.getByTestId('campaign-classes').locator('.count').allInnerTexts()).map(Number)
    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThan(provinceTotal)
    await expect(page.getByTestId('phase-complete')).toHaveCount(0)
    await expect(page.getByTestId('campaign-edit')).toHaveCount(0)
    await pageShot(page, 'campaigns-03-county')
  })
})
