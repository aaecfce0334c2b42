// Field-by-field comparison of an audit entry's before/after snapshots.
import { DUPLICATE_STATUSES, FUND_KINDS, labelOf, ORIGINS, STAGES, type Choice } from '@/areas/ledger/ledger'
import { formatDateTime } from '@/kit/format'

export type DiffKind = 'added' | 'removed' | 'changed' | 'unchanged'

export interface DiffRow {
  field: string
  before: unknown
  after: unknown
  kind: DiffKind
}

type Snapshot = Record<string, unknown> | null | undefined

/** Audit snapshots arrive untyped; anything but a plain object counts as "no snapshot". */
export function asSnapshot(value: unknown): Snapshot {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b)
  }
  return false
}

/**
 * Lists every field present on either side, in the order first seen (before, then after),
 * so a created record shows all fields as added and a deleted one as removed.
 */
export function diffSnapshots(beforeValue: unknown, afterValue: unknown): DiffRow[] {
  const before = asSnapshot(beforeValue)
  const after = asSnapshot(afterValue)
  const b = before ?? {}
  const a = after ?? {}
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])]
  return fields.map((field) => {
    const inBefore = before != null && Object.prototype.hasOwnProperty.call(b, field)
    const inAfter = after != null && Object.prototype.hasOwnProperty.call(a, field)
    let kind: DiffKind
    if (!inBefore) kind = 'added'
    else if (!inAfter) kind = 'removed'
    else kind = sameValue(b[field], a[field]) ? 'unchanged' : 'changed'
    return { field, before: b[field], after: a[field], kind }
  })
}

/** Only the rows that differ; what the audit page highlights. */
export function changedFields(before: unknown, after: unknown): string[] {
  return diffSnapshots(before, after)
    .filter((r) => r.kind !== 'unchanged')
    .map((r) => r.field)
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/

/** Fields whose stored codes read better as their Chinese names. */
const CODED_FIELDS: Record<string, readonly Choice[]> = {
  stage: STAGES,
  origin: ORIGINS,
  kind: FUND_KINDS,
  duplicate_status: DUPLICATE_STATUSES,
}

/**
 * Renders a snapshot value for a table cell; timestamps as YYYY-MM-DD HH:mm and, given the
 * field, codes such as a stage or an origin by their Chinese names.
 */
export function displayValue(value: unknown, field?: string): string {
  if (value === undefined) return ''
  const choices = field ? CODED_FIELDS[field] : undefined
  if (choices && typeof value === 'string') {
    const label = labelOf(choices, value)
    if (label && label !== value) return label
  }
  if (value === null) return '（空）'
  if (typeof value === 'boolean') return value ? '是' : '否'
  if (typeof value === 'object') return JSON.stringify(value)
  if (typeof value === 'string' && TIMESTAMP.test(value)) return formatDateTime(value)
  return String(value)
}

/** Chinese names of the fields users, units and projects carry; unknown keys show as they are. */
export const FIELD_LABELS: Record<string, string> = {
  id: '编号',
  username: '用户名',
  display_name: '姓名',
  role: '角色',
  region_code: '行政区划代码',
  region_name: '行政区划',
  unit_id: '所属单位编号',
  unit_name: '所属单位',
  phone: '电话',
  active: '启用',
  locked: '锁定',
  must_change_password: '须修改密码',
  locked_until: '锁定至',
  failed_attempts: '连续失败次数',
  last_login_at: '最近登录',
  name: '名称',
  category: '类别',
  subcategory: '子类',
  sort_order: '排序号',
  contact_person: '联系人',
  contact_phone: '联系电话',
  note: '备注',
  version: '版本',
  created_at: '创建时间',
  updated_at: '更新时间',
  // projects (and the columns of the ledger sheet)
  investor_name: '投资方',
  investor_credit_code: '统一社会信用代码',
  credit_code_missing_reason: '无代码原因',
  investor_home: '投资方来源地',
  origin: '资金来源',
  global500: '世界500强',
  china500: '中国企业500强',
  private500: '中国民营企业500强',
  industry_code: '行业代码',
  leading_industry: '主导产业',
  strategic_emerging: '战略性新兴产业',
  total_investment_fen: '总投资（分）',
  contract_fen: '合同资金（分）',
  contract_cents: '合同外资（美分）',
  signed_on: '签约日期',
  event_id: '签约活动编号',
  event: '签约活动',
  zone_id: '园区/乡镇编号',
  zone: '园区/乡镇',
  attracting_unit_id: '招商单位编号',
  attracting_unit: '招商单位',
  responsible_leader: '责任领导',
  responsible_unit_id: '责任单位编号',
  responsible_unit: '责任单位',
  responsible_person: '责任人',
  service_plan: '服务方案',
  stage: '项目阶段',
  land_supplied_on: '供地日期',
  certificate_on: '交证日期',
  started_on: '开工日期',
  completed_on: '竣工日期',
  producing_on: '投产日期',
  case_by_case: '一事一议',
  key_project: '重点项目',
  // duplicate reviews and ledger rules
  status: '状态',
  thresholds: '分类标准',
  tiers: '分级责任规则',
}

export function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field
}
