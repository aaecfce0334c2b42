// Codes and labels of the assistance list (帮办清单, domain §9 [003]). A label map keyed by the
// API's enum must name every step the server allows and no other, or the type check fails.

import type { AssistanceStep } from '@/api/types'

const LABELS: Readonly<Record<AssistanceStep, string>> = {
  registration: '企业注册',
  approval: '项目立项',
  land_pre_review: '土地预审',
  environment: '环境影响评价',
  energy: '节能审查',
  planning_permit: '规划许可',
  construction_permit: '施工许可',
  fire_safety: '消防审验',
  utilities: '水电气接入',
  other: '其他事项',
}

export const STEPS: readonly { value: AssistanceStep; label: string }[] = (Object.keys(LABELS) as AssistanceStep[]).map(
  (value) => ({ value, label: LABELS[value] }),
)

/** Tag colour of an item's deadline light. */
export function lightTag(light: string | null | undefined): 'success' | 'warning' | 'danger' | 'info' {
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

/** The 帮办清单 page's filters: a link may set `overdue` and `region` (the leaders' dashboard does). */
export interface ListFilters {
  overdue: boolean
  openOnly: boolean
  region?: string
}

const one = (v: unknown): string | undefined => (Array.isArray(v) ? v[0] : v) ?? undefined

/** The filters of a 帮办清单 address's query (`overdue=true`, `region`); anything unknown is left out. */
export function linkedFilters(query: Record<string, unknown>): Pick<ListFilters, 'overdue' | 'region'> {
  const region = one(query.region)
  return { overdue: one(query.overdue) === 'true', region: region && /^\d{6}$/.test(region) ? region : undefined }
}

/** What the page asks of `/api/assistance` and its export: the same filters, so the file holds the list. */
export function listQuery(f: ListFilters): { overdue?: boolean; status?: 'open'; region?: string } {
  return { overdue: f.overdue || undefined, status: f.openOnly ? 'open' : undefined, region: f.region }
}
