// Notification channels: the region's group robots and the messages that could not be sent.
import type { components } from '@/api/schema'

type S = components['schemas']
export type RobotView = S['RobotView']
export type RobotInput = S['RobotInput']
export type RobotKind = S['RobotKind']
export type FailedDelivery = S['FailedDelivery']

export const ROBOT_KINDS: Record<RobotKind, { label: string; hint: string }> = {
  wecom: {
    label: '企业微信（政务微信）',
    hint: '群聊 → 群机器人 → 添加机器人，复制 Webhook 地址（含 key=…）',
  },
  dingtalk: {
    label: '钉钉（浙政钉）',
    hint: '群设置 → 智能群助手 → 添加机器人 → 自定义，安全设置选“加签”，复制 Webhook 地址与 SEC 开头的密钥',
  },
}

export const CHANNELS: Record<string, string> = { email: '邮件', webhook: '群机器人' }

/** The robot dialog's fields. `url` and `secret` are typed anew, never read back from the server. */
export interface RobotForm {
  region_code: string | null
  name: string
  kind: RobotKind
  url: string
  secret: string
  /** Editing: drop the stored 加签 secret. */
  clearSecret: boolean
  enabled: boolean
}

export function emptyForm(region: string | null): RobotForm {
  return { region_code: region, name: '', kind: 'wecom', url: '', secret: '', clearSecret: false, enabled: true }
}

export function formOf(robot: RobotView): RobotForm {
  return {
    region_code: robot.region_code,
    name: robot.name,
    kind: robot.kind,
    url: '',
    secret: '',
    clearSecret: false,
    enabled: robot.enabled,
  }
}

/**
 * What is sent: when editing, a URL or secret left blank is left out (the server keeps the stored
 * one) and an empty secret asks the server to remove it; 企业微信 robots carry no secret.
 */
export function robotPayload(form: RobotForm, editing: boolean): RobotInput {
  const url = form.url.trim()
  const secret = form.secret.trim()
  const body: RobotInput = {
    region_code: form.region_code ?? '',
    name: form.name.trim(),
    kind: form.kind,
    enabled: form.enabled,
  }
  if (url || !editing) body.url = url
  if (form.kind === 'dingtalk') {
    if (secret) body.secret = secret
    else if (editing && form.clearSecret) body.secret = ''
  }
  return body
}
