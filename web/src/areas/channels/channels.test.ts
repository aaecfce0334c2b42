import { describe, expect, it } from 'vitest'
import { emptyForm, formOf, robotPayload, type RobotView } from './channels'

const stored: RobotView = {
  id: 3,
  region_code: '430921',
  region_name: '南县',
  name: '南县招商调度群',
  kind: 'dingtalk',
  kind_label: '钉钉',
  url_masked: 'https://oapi.dingtalk.com/robot/send?access_token=***cdef',
  has_secret: true,
  enabled: true,
  failed: 0,
  updated_at: '2026-03-01T08:00:00.000Z',
}

describe('robotPayload', () => {
  it('sends every field of a new robot', () => {
    const form = { ...emptyForm('430921'), name: ' 南县群 ', kind: 'dingtalk' as const, url: ' https://x/?a=1 ', secret: 'SEC1' }
    expect(robotPayload(form, false)).toEqual({
      region_code: '430921',
      name: '南县群',
      kind: 'dingtalk',
      enabled: true,
      url: 'https://x/?a=1',
      secret: 'SEC1',
    })
  })
  it('leaves out the URL and secret that were not typed again, so the stored ones stay', () => {
    const body = robotPayload(formOf(stored), true)
    expect(body).not.toHaveProperty('url')
    expect(body).not.toHaveProperty('secret')
  })
  it('asks for the secret to be removed only when told to', () => {
    expect(robotPayload({ ...formOf(stored), clearSecret: true }, true).secret).toBe('')
  })
  it('never sends a secret for 企业微信', () => {
    expect(robotPayload({ ...formOf(stored), kind: 'wecom', secret: 'SEC1' }, true)).not.toHaveProperty('secret')
  })
  it('never reads the masked URL back into the form', () => {
    expect(formOf(stored).url).toBe('')
  })
})
