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
