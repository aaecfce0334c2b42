import { expect, test, type Page } from '@playwright/test'
import { formItem, login, openDialog, openMenu, pageShot, settled } from './helpers'

// 南县 connects its 钉钉 group robot (the key and the 加签 secret are never shown again); a
// reminder to 南县 is queued for it, the robot is switched off before the message goes out, so
// the sender gives it up; 南县's administrator finds it on 发送失败 and sends it again.
const ROBOT = '南县招商调度群（E2E）'
const TOKEN = 'e2e0123456789abcdef0123456789abcdef7a3c'
const SECRET = 'SECe2e1d6a4f2b9c0e8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5'
const MARKER = 'E2E渠道'

function monthsAgo(back: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
  const [y, m] = today.split('-').map(Number)
  const months = y * 12 + (m - 1) - back
  return `${Math.floor(months / 12)}-${String((months % 12) + 1).padStart(2, '0')}`
}

async function switchUser(page: Page, username: string): Promise<void> {
  await page.context().clearCookies()
  await login(page, username)
}

function robotRow(page: Page) {
  return page.getByTestId('robots-table').locator('tr.el-table__row', { hasText: ROBOT })
}

test('a county connects its group robot; its administrator sends a failed message again', async ({ page }) => {
  test.setTimeout(180_000)
  let robotId = 0

  await test.step('南县 connects its 钉钉 robot with 加签', async () => {
    await login(page, 'nx_bureau')
    await openMenu(page, '群机器人')
    await page.getByTestId('add-robot').click()
    const dialog = openDialog(page)
    await expect(formItem(dialog, '地区').locator('input')).toHaveValue(/南县/)
    await formItem(dialog, '群名称').locator('input').fill(ROBOT)
    await formItem(dialog, '类型').getByText('钉钉（浙政钉）').click()
    await formItem(dialog, 'Webhook 地址').locator('input').fill(`https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`)
    await formItem(dialog, '加签密钥').locator('input').fill(SECRET)
    await pageShot(page, 'channels-01-connect-robot')
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/channels/robots') && r.request().method() === 'POST')
    await dialog.getByRole('button', { name: '保存' }).click()
    const response = await saved
    expect(response.status()).toBe(201)
    robotId = (await response.json()).id
    await settled(page)

    const row = robotRow(page)
    await expect(row).toContainText('钉钉')
    await expect(row).toContainText('access_token=***7a3c')
    await expect(row).toContainText('已设置')
    await expect(row).toContainText('启用')
    // Neither the whole key nor the secret comes back to the page.
    const html = await page.content()
    expect(html).not.toContain(TOKEN)
    expect(html).not.toContain(SECRET)

    // Editing asks for the key and the secret anew instead of showing them.
    await row.getByRole('button', { name: '修改' }).click()
    const edit = openDialog(page)
    await expect(formItem(edit, 'Webhook 地址').locator('input')).toHaveValue('')
    await expect(formItem(edit, 'Webhook 地址').locator('input')).toHaveAttribute('placeholder', /\*\*\*7a3c（不修改请留空）/)
    await expect(formItem(edit, '加签密钥').locator('input[type=password]')).toHaveAttribute('placeholder', '已设置（不修改请留空）')
    await edit.getByRole('button', { name: '取消' }).click()
    await pageShot(page, 'channels-02-robots')
  })

  await test.step('a reminder to 南县 is queued for the robot, which is switched off before it goes out', async () => {
    const created = await page.request.post('/api/projects', {
      data: {
        name: `南县${MARKER}农产品加工项目`,
        investor_name: '湖南南洲农业发展有限公司',
        origin: 'in_province',
        region_code: '430921',
        stage: 'negotiating',
        key_project: true,
      },
    })
    expect(created.status(), await created.text()).toBe(201)
    await switchUser(page, 'yy_bureau')
    const opened = await page.request.post(`/api/dispatch/rounds?region=430921&q=${encodeURIComponent(MARKER)}`, {
      data: { period: monthsAgo(3) },
    })
    expect(opened.status(), await opened.text()).toBe(201)
    const round = (await opened.json()).id
    const reminded = await page.request.post(`/api/dispatch/rounds/${round}/remind`, { data: {} })
    expect(reminded.status(), await reminded.text()).toBe(200)

    await switchUser(page, 'nx_bureau')
    await openMenu(page, '群机器人')
    await robotRow(page).getByRole('button', { name: '修改' }).click()
    const edit = openDialog(page)
    await formItem(edit, '启用').locator('.el-switch').click()
    await edit.getByRole('button', { name: '保存' }).click()
    await expect(robotRow(page)).toContainText('停用')
  })

  await test.step('the sender gives it up; 南县’s administrator sees it and sends it again', async () => {
    await switchUser(page, 'nx_admin')
    await openMenu(page, '发送失败')
    const table = page.getByTestId('failures-table')
    const failed = table.locator('tr.el-table__row', { hasText: ROBOT })
    // The sender passes every 30 seconds.
    await expect(async () => {
      await page.getByRole('button', { name: '刷新' }).click()
      await settled(page)
      await expect(failed).toHaveCount(1, { timeout: 1000 })
    }).toPass({ timeout: 100_000, intervals: [5_000] })
    await expect(failed).toContainText('群机器人')
    await expect(failed).toContainText('南县')
    await expect(failed).toContainText('群机器人已停用')
    await expect(failed).toContainText('催报')
    await pageShot(page, 'channels-03-failures')

    await failed.getByRole('button', { name: '重新发送' }).click()
    await page.locator('.el-message-box').getByRole('button', { name: '重新发送' }).click()
    await expect(page.locator('.el-message--success')).toContainText(`已重新加入发送队列：${ROBOT}`)
    await settled(page)
    await expect(failed).toHaveCount(0)
    await pageShot(page, 'channels-04-resent')
  })

  // The robot and its messages go, so the other browser tests' reminders queue nothing for it.
  await switchUser(page, 'nx_bureau')
  const removed = await page.request.delete(`/api/channels/robots/${robotId}`)
  expect(removed.status()).toBe(204)
})
