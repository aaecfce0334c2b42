// The left-hand menu, and which entries a user's permissions unlock.

export type Permission =
  | 'manage_users'
  | 'read_users'
  | 'manage_units'
  | 'read_units'
  | 'read_audit'
  | 'manage_ledger'
  | 'enter_funds'
  | 'review_funds'
  | 'manage_rules'
  | 'report_progress'
  | 'manage_dispatch'
  | 'manage_supervision'
  | 'record_visits'

export interface MenuItem {
  path: string
  title: string
  icon: string
  /** Shown only to users holding this permission (or one of these); absent = everyone. */
  permission?: Permission | readonly Permission[]
  /**
   * Hidden from users scoped to these region levels. Fund review is done by the level above
   * the project's county; the server no longer grants review_funds to county-scoped users, and
   * the level check keeps the menu right for sessions started before that.
   */
  hiddenAt?: readonly string[]
}

export interface MenuContext {
  /** Level of the user's region (province / prefecture / county); null for national accounts. */
  level?: string | null
}

/** Who works with supervision groups: the bureaus that form them and their members. */
export const SUPERVISION: readonly Permission[] = ['manage_supervision', 'record_visits']

export const MENU: readonly MenuItem[] = [
  { path: '/', title: '工作台', icon: 'HomeFilled' },
  { path: '/leader', title: '领导看板', icon: 'TrendCharts' },
  // A bureau's and a unit's tasks, and a supervision group leader's problem lists.
  { path: '/tasks', title: '我的待办', icon: 'Finished', permission: ['report_progress', 'record_visits'] },
  { path: '/projects', title: '项目台账', icon: 'Tickets' },
  { path: '/events', title: '签约活动', icon: 'Calendar' },
  { path: '/funds/review', title: '资金审核', icon: 'Stamp', permission: 'review_funds', hiddenAt: ['county'] },
  { path: '/dispatch', title: '月度调度', icon: 'Promotion', permission: 'report_progress' },
  // Every role: a bureau, leader or inspector sees the meetings its scope held; a unit those
  // that gave it decisions.
  { path: '/meetings', title: '会议调度', icon: 'ChatDotSquare' },
  // The region's own 企业微信 / 钉钉 groups, connected by whoever organises its dispatch.
  { path: '/channels/robots', title: '群机器人', icon: 'ChatLineRound', permission: 'manage_dispatch' },
  // Every role: a bureau its region's problems, a unit those given to it.
  { path: '/problems', title: '问题清单', icon: 'WarningFilled' },
  // A bureau the groups it formed and their visits, a member its own groups.
  { path: '/supervision', title: '督导组', icon: 'Flag', permission: SUPERVISION },
  { path: '/supervision/visits', title: '督导调研', icon: 'Guide', permission: SUPERVISION },
  // Every role: the bulletins addressed to the user's region, and those issued within it.
  { path: '/bulletins', title: '通报', icon: 'Notebook' },
  // Every role: a bureau its region's items, a unit those given to it.
  { path: '/assistance', title: '帮办清单', icon: 'List' },
  // Every role: the campaigns of the user's region, below it and above it.
  { path: '/campaigns', title: '专项行动', icon: 'Aim' },
  { path: '/duplicates', title: '重复核查', icon: 'CopyDocument', permission: 'manage_ledger' },
  { path: '/rates', title: '三率统计', icon: 'DataAnalysis' },
  { path: '/map', title: '招商地图', icon: 'Location' },
  { path: '/users', title: '用户管理', icon: 'User', permission: 'read_users' },
  { path: '/roles', title: '角色权限', icon: 'Lock' },
  { path: '/units', title: '单位名录', icon: 'OfficeBuilding', permission: 'read_units' },
  { path: '/regions', title: '行政区划', icon: 'MapLocation' },
  { path: '/rules', title: '规则设置', icon: 'SetUp', permission: 'manage_rules' },
  { path: '/channels/failures', title: '发送失败', icon: 'WarningFilled', permission: 'manage_users' },
  { path: '/audit', title: '审计日志', icon: 'Document', permission: 'read_audit' },
  { path: '/password', title: '修改密码', icon: 'Key' },
  { path: '/security', title: '账号安全', icon: 'Iphone' },
]

export function visibleMenu(
  permissions: readonly string[],
  context: MenuContext = {},
  items: readonly MenuItem[] = MENU,
): MenuItem[] {
  return items.filter(
    (item) => allowed(permissions, item.permission) && !(context.level && item.hiddenAt?.includes(context.level)),
  )
}

/** Whether a route needing `permission` (or one of several) may be opened. */
export function allowed(permissions: readonly string[], permission: string | readonly string[] | undefined): boolean {
  if (!permission) return true
  return typeof permission === 'string' ? permissions.includes(permission) : permission.some((p) => permissions.includes(p))
}
