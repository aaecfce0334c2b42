// Code lists and small rules of the problems area, keyed by the generated enum types.
import type { ProblemCategory, ProblemStatus } from '@/api/types'

export const CATEGORIES: readonly { value: ProblemCategory; label: string }[] = [
  { value: 'land', label: '用地' },
  { value: 'planning', label: '规划' },
  { value: 'environment', label: '环评' },
  { value: 'financing', label: '融资' },
  { value: 'approval', label: '审批' },
  { value: 'policy', label: '政策兑现' },
  { value: 'factors', label: '要素保障' },
  { value: 'other', label: '其他' },
]

export const STATUSES: readonly { value: ProblemStatus; label: string }[] = [
  { value: 'registered', label: '已登记' },
  { value: 'assigned', label: '已交办' },
  { value: 'in_progress', label: '办理中' },
  { value: 'answered', label: '已答复' },
  { value: 'closed', label: '已办结' },
]

/** The tag colour of a status. */
export function statusTag(status: string): 'info' | 'warning' | 'primary' | 'success' {
  switch (status) {
    case 'registered':
      return 'info'
    case 'assigned':
    case 'in_progress':
      return 'warning'
    case 'answered':
      return 'primary'
    default:
      return 'success'
  }
}

/** "还剩 3 天", "今天截止", "逾期 2 天" for a deadline seen from `today` (YYYY-MM-DD). */
export function deadlineText(due: string | null | undefined, today: string): string {
  if (!due) return ''
  const days = Math.round((Date.parse(due) - Date.parse(today)) / 86_400_000)
  if (days > 0) return `还剩 ${days} 天`
  if (days === 0) return '今天截止'
  return `逾期 ${-days} 天`
}

/** Where a problem came from. */
export function sourceLabel(source: string): string {
  return source === 'update' ? '月度调度' : source === 'visit' ? '督导走访' : '直接登记'
}

/** The letter's kind as its title reads. */
export function letterTitle(kind: string): string {
  return kind === 'supervise' ? '督办函' : '交办函'
}
