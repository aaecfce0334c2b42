import { expect, test } from '@playwright/test'
import { formItem, login, openDialog, openMenu, pageShot, settled } from './helpers'

// 南县's bureau records a 回访登记表 of one of its projects and registers the difficulty the
// company named as a problem from the form (登记问题); the form lists it, and so does 问题清单.
const PROJECT = '南县回访登记测试农产品冷链项目'
const DIFFICULTY = '冷库二期用电增容申请尚未获批，影响设备安装'

test('a problem registered from a revisit form shows in the problem list', async ({ page }) => {
  await test.step('南县 records a revisit form', async () => {
    await login(page, 'nx_bureau')
    const created = await page.request.post('/api/projects', {
      data: { name: PROJECT, investor_name: '湖南某某冷链物流有限公司', origin: 'in_province', region_code: '430921', stage: 'negotiating' },
    })
    expect(created.status(), await created.text()).toBe(201)
    const id = (await created.json()).project.id as number
    await page.goto(`/projects/${id}/revisits`)
    await settled(page)
    await page.getByTestId('new-revisit').click()
    const dialog = openDialog(page)
    for (const [section, label, text] of [
      ['policy', '政策落实', '招商奖补政策已兑现首期'],
      ['commitments', '承诺兑现', '配套道路按承诺推进'],
      ['factors', '要素保障', '用电增容未批复'],
      ['environment', '投资环境', '企业无投诉'],
      ['service', '服务水平', '园区专班每月上门服务'],
      ['difficulties', '存在的困难和问题', DIFFICULTY],
    ] as const) {
      await dialog.getByTestId(`revisit-${section}`).fill(text)
      if (section !== 'difficulties') await formItem(dialog, label).getByText('满意', { exact: true }).click()
    }
    await dialog.getByTestId('revisit-save').click()
    await expect(dialog).toBeHidden()
    await expect(page.getByTestId('revisit-form')).toHaveCount(1)
  })

  await test.step('登记问题 from the form: the description starts from its difficulties', async () => {
    await page.getByTestId('revisit-problem').click()
    const dialog = openDialog(page)
    await expect(dialog.getByTestId('revisit-problem-description')).toHaveValue(DIFFICULTY)
    await pageShot(page, 'revisits-01-problem-dialog')
    await dialog.getByTestId('revisit-problem-save').click()
    await expect(dialog).toBeHidden()
    await expect(page.getByTestId('revisit-problems').locator('tr.el-table__row', { hasText: DIFFICULTY })).toContainText('已登记')
    await pageShot(page, 'revisits-02-form')
  })

  await test.step('the problem list shows it', async () => {
    await openMenu(page, '问题清单')
    const row = page.getByTestId('problems-table').locator('tr.el-table__row', { hasText: DIFFICULTY })
    await expect(row).toContainText(PROJECT)
    await expect(row).toContainText('已登记')
    await expect(row).toContainText('回访登记')
    await pageShot(page, 'revisits-03-problem-list')
  })
})
