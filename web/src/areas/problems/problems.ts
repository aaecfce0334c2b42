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
  switch (source) {
    case 'update':
      return '月度调度'
    case 'visit':
      return '督导走访'
    case 'revisit':
      return '回访登记'
    default:
      return '直接登记'
  }
}

/** The letter's kind as its title reads. */
export function letterTitle(kind: string): string {
  return kind === 'supervise' ? '督办函' : '交办函'
}

/** The list's filters a link may set (the leaders' dashboard's figures open the list with them). */
export interface LinkedFilters {
  status?: ProblemStatus
  overdue?: boolean
  unanswered?: boolean
  open?: boolean
  closed_year?: number
  answered?: 'on_time' | 'late'
  region?: string
}

const one = (v: unknown): string | undefined => (Array.isArray(v) ? v[0] : v) ?? undefined

/** The filters of a problem-list address's query; anything unknown is left out. */
export function linkedFilters(query: Record<string, unknown>): LinkedFilters {
  const f: LinkedFilters = {}
  const status = one(query.status)
  if (STATUSES.some((s) => s.value === status)) f.status = status as ProblemStatus
  if (one(query.overdue) === 'true') f.overdue = true
  if (one(query.unanswered) === 'true') f.unanswered = true
  if (one(query.open) === 'true') f.open = true
  const year = Number(one(query.closed_year))
  if (Number.isInteger(year) && year > 1900) f.closed_year = year
  const answered = one(query.answered)
  if (answered === 'on_time' || answered === 'late') f.answered = answered
  const region = one(query.region)
  if (region && /^\d{6}$/.test(region)) f.region = region
  return f
}

/** The words of the filters only a link sets, shown above the list so they can be removed. */
export function linkedLabels(f: LinkedFilters, regionName?: string): { key: 'open' | 'closed_year' | 'answered' | 'region'; label: string }[] {
  const out: { key: 'open' | 'closed_year' | 'answered' | 'region'; label: string }[] = []
  if (f.region) out.push({ key: 'region', label: `地区：${regionName ?? f.region}` })
  if (f.open) out.push({ key: 'open', label: '未办结' })
  if (f.closed_year) out.push({ key: 'closed_year', label: `${f.closed_year}年办结` })
  if (f.answered) out.push({ key: 'answered', label: f.answered === 'on_time' ? '按时答复' : '超期答复' })
  return out
}
