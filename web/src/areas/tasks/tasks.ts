// The deadline engine as pages show it: lights, days left, and where a task is done.

import type { RouteLocationRaw } from 'vue-router'
import type { Light } from '@/api/types'

type TagType = 'success' | 'primary' | 'warning' | 'danger' | 'info'

export const LIGHT_LABELS: Readonly<Record<Light, string>> = {
  green: '正常',
  yellow: '临期',
  red: '逾期',
  done: '已完成',
}

/** Tag colour of a light: 正常 green, 临期 orange, 逾期 red, 已完成 grey. */
export function lightTag(light: Light | null | undefined): TagType {
  switch (light) {
    case 'green':
      return 'success'
    case 'yellow':
      return 'warning'
    case 'red':
      return 'danger'
    default:
      return 'info'
  }
}

/** Most urgent first: 逾期, 临期, 正常, 已完成 (for sorting tables by light). */
export function lightRank(light: Light | null | undefined): number {
  const order: readonly (Light | null | undefined)[] = ['red', 'yellow', 'green', 'done']
  const i = order.indexOf(light)
  return i < 0 ? order.length : i
}

export function lightLabel(light: Light | null | undefined): string {
  return light ? LIGHT_LABELS[light] : '—'
}

/** "还剩 3 天", "今天截止", "逾期 2 天", or "已完成" once the task is done. */
export function daysLeftText(task: { status: string; days_left: number }): string {
  if (task.status === 'done') return '已完成'
  if (task.days_left > 0) return `还剩 ${task.days_left} 天`
  if (task.days_left === 0) return '今天截止'
  return `逾期 ${-task.days_left} 天`
}

/** What a task asks, by its kind. */
export const TASK_KINDS: Readonly<Record<string, string>> = {
  dispatch_report: '月度调度报送',
  meeting_decision: '会议交办事项',
  problem: '交办问题',
  visit_problem_list: '督导问题清单',
}

export function taskKindLabel(kind: string): string {
  return TASK_KINDS[kind] ?? kind
}

/** The page where a task is done, when the app has one. */
export function taskLink(task: { kind: string; source_id: number }): RouteLocationRaw | null {
  if (task.kind === 'dispatch_report') {
    return { name: 'dispatch-round', params: { id: task.source_id }, query: { tab: 'projects' } }
  }
  if (task.kind === 'meeting_decision') return { name: 'meeting', params: { id: task.source_id } }
  if (task.kind === 'problem') return { name: 'problem', params: { id: task.source_id } }
  if (task.kind === 'visit_problem_list') return { name: 'visit', params: { id: task.source_id } }
  return null
}
