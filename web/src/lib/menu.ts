// The left-hand menu, and which entries a user's permissions unlock.

export type Permission = 'manage_users' | 'read_users' | 'manage_units' | 'read_units' | 'read_audit'

export interface MenuItem {
  path: string
  title: string
  icon: string
  /** Shown only to users holding this permission; absent = everyone. */
  permission?: Permission
}

export const MENU: readonly MenuItem[] = [
  { path: '/', title: '工作台', icon: 'HomeFilled' },
  { path: '/users', title: '用户管理', icon: 'User', permission: 'read_users' },
  { path: '/roles', title: '角色权限', icon: 'Lock' },
  { path: '/units', title: '单位名录', icon: 'OfficeBuilding', permission: 'read_units' },
  { path: '/regions', title: '行政区划', icon: 'MapLocation' },
  { path: '/audit', title: '审计日志', icon: 'Document', permission: 'read_audit' },
  { path: '/password', title: '修改密码', icon: 'Key' },
]

export function visibleMenu(
  permissions: readonly string[],
  items: readonly MenuItem[] = MENU,
): MenuItem[] {
  const held = new Set(permissions)
  return items.filter((item) => !item.permission || held.has(item.permission))
}

/** Whether a route needing `permission` may be opened. */
export function allowed(permissions: readonly string[], permission: string | undefined): boolean {
  return !permission || permissions.includes(permission)
}
