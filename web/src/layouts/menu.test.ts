import { describe, expect, it } from 'vitest'
import { allowed, visibleMenu } from './menu'

const titles = (perms: string[], level: string | null = null) => visibleMenu(perms, { level }).map((m) => m.title)
const SHARED = ['项目台账', '签约活动', '会议调度', '问题清单', '通报', '帮办清单', '专项行动', '三率统计', '招商地图']

describe('visibleMenu', () => {
  it('gives a county bureau without user or audit rights only the shared pages', () => {
    expect(titles(['read_units'])).toEqual(['工作台', '领导看板', ...SHARED, '角色权限', '单位名录', '行政区划', '修改密码', '账号安全'])
  })
  it('gives an administrator the administration pages but not the audit log (三权分立)', () => {
    expect(titles(['manage_users', 'read_users', 'manage_units', 'read_units', 'manage_rules'])).toEqual([
      '工作台', '领导看板',
      ...SHARED,
      '用户管理',
      '角色权限',
      '单位名录',
      '行政区划',
      '规则设置',
      '发送失败',
      '修改密码',
      '账号安全',
    ])
  })
  it('gives a security auditor the audit log and the user list, and no settings', () => {
    expect(titles(['read_audit', 'read_users', 'read_units'])).toEqual([
      '工作台', '领导看板',
      ...SHARED,
      '用户管理',
      '角色权限',
      '单位名录',
      '行政区划',
      '审计日志',
      '修改密码',
      '账号安全',
    ])
  })
  it('hides permission-bound pages from a user with none', () => {
    expect(titles([])).toEqual(['工作台', '领导看板', ...SHARED, '角色权限', '行政区划', '修改密码', '账号安全'])
  })
  it('shows the rules page only to those who may change the rules', () => {
    expect(titles(['read_units', 'manage_ledger'])).not.toContain('规则设置')
    expect(titles(['manage_rules'])).toContain('规则设置')
  })
  it('does not treat manage_users as implying read_users', () => {
    expect(titles(['manage_users'])).not.toContain('用户管理')
  })
})

describe('ledger menu', () => {
  const BUREAU = ['read_units', 'manage_ledger', 'enter_funds', 'review_funds']
  it('gives a city bureau fund review and the duplicate pool', () => {
    expect(titles(BUREAU, 'prefecture')).toEqual([
      '工作台', '领导看板',
      '项目台账',
      '签约活动',
      '资金审核',
      '会议调度',
      '问题清单',
      '通报',
      '帮办清单',
      '专项行动',
      '重复核查',
      '三率统计',
      '招商地图',
      '角色权限',
      '单位名录',
      '行政区划',
      '修改密码',
      '账号安全',
    ])
  })
  it('hides fund review from a county bureau, which has no level below to review', () => {
    expect(titles(BUREAU, 'county')).not.toContain('资金审核')
    expect(titles(BUREAU, 'county')).toContain('重复核查')
  })
  it('gives a responsible unit the ledger but neither review nor the duplicate pool', () => {
    const t = titles(['read_units', 'enter_funds'], 'county')
    expect(t).toContain('项目台账')
    expect(t).not.toContain('资金审核')
    expect(t).not.toContain('重复核查')
  })
})

describe('allowed', () => {
  it('lets open routes through and checks bound ones', () => {
    expect(allowed([], undefined)).toBe(true)
    expect(allowed(['read_audit'], 'read_audit')).toBe(true)
    expect(allowed(['read_units'], 'read_audit')).toBe(false)
  })
})

describe('dispatch menu', () => {
  const BUREAU = ['read_units', 'manage_ledger', 'enter_funds', 'review_funds', 'report_progress', 'manage_dispatch']
  it('puts 我的待办 after 工作台 and 月度调度 after 资金审核 for a bureau', () => {
    const t = titles(BUREAU, 'prefecture')
    expect(t.slice(0, 3)).toEqual(['工作台', '领导看板', '我的待办'])
    expect(t[t.indexOf('资金审核') + 1]).toBe('月度调度')
  })
  it('gives a responsible unit both, as it reports its projects', () => {
    const t = titles(['read_units', 'enter_funds', 'report_progress'], 'county')
    expect(t).toContain('我的待办')
    expect(t).toContain('月度调度')
  })
  it('gives neither to those who report nothing', () => {
    expect(titles(['read_units'])).not.toContain('月度调度')
    expect(titles(['manage_users', 'read_users', 'read_audit', 'manage_rules'])).not.toContain('我的待办')
  })
})

describe('meetings menu', () => {
  it('gives every role 会议调度, after 月度调度 for a bureau', () => {
    const bureau = titles(['read_units', 'manage_ledger', 'report_progress', 'manage_dispatch'], 'prefecture')
    expect(bureau[bureau.indexOf('月度调度') + 1]).toBe('会议调度')
    expect(titles(['read_units', 'enter_funds', 'report_progress'], 'county')).toContain('会议调度')
    expect(titles(['read_units'])).toContain('会议调度')
  })
})

describe('problems menu', () => {
  it('gives every role 问题清单, after 群机器人 for a bureau', () => {
    const bureau = titles(['read_units', 'manage_ledger', 'report_progress', 'manage_dispatch'], 'county')
    expect(bureau[bureau.indexOf('群机器人') + 1]).toBe('问题清单')
    expect(titles(['read_units', 'enter_funds', 'report_progress'], 'county')).toContain('问题清单')
  })
})

describe('bulletins menu', () => {
  it('gives 通报 to every role, after 问题清单', () => {
    const bureau = titles(['read_units', 'manage_ledger', 'report_progress', 'manage_dispatch'], 'county')
    expect(bureau[bureau.indexOf('问题清单') + 1]).toBe('通报')
    expect(titles([])).toContain('通报')
  })
})

describe('campaigns and assistance menu', () => {
  it('gives every role 帮办清单 and 专项行动, after 通报', () => {
    const unit = titles(['read_units', 'enter_funds', 'report_progress'], 'county')
    expect(unit.slice(unit.indexOf('通报') + 1, unit.indexOf('通报') + 3)).toEqual(['帮办清单', '专项行动'])
  })
})

describe('channels menu', () => {
  it('gives 群机器人 to whoever organises dispatch, after 会议调度', () => {
    const bureau = titles(['read_units', 'manage_ledger', 'report_progress', 'manage_dispatch'], 'county')
    expect(bureau[bureau.indexOf('会议调度') + 1]).toBe('群机器人')
    expect(titles(['read_units', 'enter_funds', 'report_progress'], 'county')).not.toContain('群机器人')
  })
  it('gives 发送失败 to administrators only', () => {
    expect(titles(['manage_users', 'read_users'])).toContain('发送失败')
    expect(titles(['read_audit', 'read_users', 'read_units'])).not.toContain('发送失败')
    expect(titles(['manage_dispatch'])).not.toContain('发送失败')
  })
})

describe('supervision menu', () => {
  it('gives a group member its tasks, groups and visits, and a unit none of the supervision pages', () => {
    const inspector = titles(['read_units', 'record_visits'])
    expect(inspector).toContain('我的待办')
    expect(inspector).toContain('督导组')
    expect(inspector).toContain('督导调研')
    const unit = titles(['read_units', 'enter_funds', 'report_progress'], 'county')
    expect(unit).toContain('我的待办')
    expect(unit).not.toContain('督导组')
    expect(titles(['read_units', 'manage_supervision'], 'province')).toContain('督导调研')
  })
  it('opens a route needing one of several permissions for whoever holds any', () => {
    expect(allowed(['record_visits'], ['report_progress', 'record_visits'])).toBe(true)
    expect(allowed(['read_units'], ['report_progress', 'record_visits'])).toBe(false)
    expect(allowed(['read_units'], undefined)).toBe(true)
  })
})
