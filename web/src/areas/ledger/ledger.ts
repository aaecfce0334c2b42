// Codes and labels of the project ledger (domain §3–5). The codes are the API's own enums
// (generated from its OpenAPI document): a label map keyed by an enum must name every value
// the server allows and no other, or the type check fails.

import type { components } from '@/api/schema'

type Schemas = components['schemas']
export type Stage = Schemas['Stage']
export type Origin = Schemas['Origin']
export type FundKind = Schemas['FundKind']
export type Currency = Schemas['Currency']

export interface Choice<T extends string = string> {
  value: T
  label: string
}

/** The choices of an enum, in the order its labels are written. */
function choices<T extends string>(labels: Readonly<Record<T, string>>): readonly Choice<T>[] {
  return (Object.keys(labels) as T[]).map((value) => ({ value, label: labels[value] }))
}

export const STAGES = choices<Stage>({
  lead: '线索',
  intent: '意向',
  negotiating: '在谈',
  signed: '已签约',
  land_supplied: '已供地',
  started: '已开工',
  completed: '已竣工',
  producing: '已投产',
  terminated: '终止',
  defaulted: '违约终止',
})

/** The stages of a signed project (签约项目): counted in the 三率 and graded 优秀 … 未履约. */
const SIGNED_STAGES: readonly Stage[] = ['signed', 'land_supplied', 'started', 'completed', 'producing', 'defaulted']

export function isSigned(stage: string): boolean {
  return (SIGNED_STAGES as readonly string[]).includes(stage)
}

/**
 * Whether the form asks for 无代码原因 (why the investor has no 统一社会信用代码, issue 19):
 * required for a signed project without a code, offered from 在谈 on so that a negotiating
 * foreign investor's project can carry it before 阶段变更 signs it, hidden once a code is typed.
 */
export function missingCodeReason(stage: string, code: string | null | undefined): 'required' | 'optional' | 'hidden' {
  if (code?.trim()) return 'hidden'
  if (isSigned(stage)) return 'required'
  return stage === 'negotiating' ? 'optional' : 'hidden'
}

export const ORIGINS = choices<Origin>({
  foreign: '境外',
  out_of_province: '省外境内',
  in_province: '省内',
})

export const EVENT_LEVELS: readonly Choice[] = [
  { value: 'province', label: '省级' },
  { value: 'prefecture', label: '市级' },
  { value: 'county', label: '县级' },
]

export const FUND_KINDS = choices<FundKind>({
  fixed_asset: '固定资产投资',
  registered_capital: '注册资本实缴',
  other: '其他',
})

export const CURRENCIES = choices<Currency>({
  CNY: '人民币（万元）',
  USD: '美元（万美元）',
})

/** The review states of a duplicate candidate, as the pool's filter offers them. */
export const DUPLICATE_STATUSES: readonly Choice[] = [
  { value: 'pending', label: '待核查' },
  { value: 'duplicate', label: '确认重复' },
  { value: 'not_duplicate', label: '不是重复' },
  { value: 'all', label: '全部' },
]

export function labelOf(list: readonly Choice[], code: string | null | undefined): string {
  return list.find((c) => c.value === code)?.label ?? code ?? ''
}

/** The milestone date a stage sets, when it has one (the 四即 chain). */
export const STAGE_DATE_FIELD: Readonly<Record<string, string>> = {
  signed: 'signed_on',
  land_supplied: 'land_supplied_on',
  started: 'started_on',
  completed: 'completed_on',
  producing: 'producing_on',
}

type TagType = 'success' | 'primary' | 'warning' | 'danger' | 'info'

/** Tag colour of a classification: 优秀 green, 良好 blue, 一般 orange, 未履约 red. */
export function classificationTag(code: string | null | undefined): TagType {
  switch (code) {
    case 'excellent':
      return 'success'
    case 'good':
      return 'primary'
    case 'fair':
      return 'warning'
    case 'not_fulfilled':
      return 'danger'
    default:
      return 'info'
  }
}

/** Tag colour of a fund record's review state. */
export function fundStatusTag(status: string | null | undefined): TagType {
  switch (status) {
    case 'confirmed':
      return 'success'
    case 'entered':
      return 'warning'
    case 'returned':
      return 'danger'
    default:
      return 'info'
  }
}

/** Tag colour of a duplicate review state: pending orange, duplicate red, cleared green. */
export function duplicateStatusTag(status: string | null | undefined): TagType {
  switch (status) {
    case 'pending':
      return 'warning'
    case 'duplicate':
      return 'danger'
    case 'not_duplicate':
      return 'success'
    default:
      return 'info'
  }
}

/** Tag colour of a stage: side exits red, production green, the rest neutral. */
export function stageTag(stage: string | null | undefined): TagType {
  if (stage === 'terminated' || stage === 'defaulted') return 'danger'
  if (stage === 'producing' || stage === 'completed') return 'success'
  if (stage === 'lead' || stage === 'intent' || stage === 'negotiating') return 'info'
  return 'primary'
}

/** The steps of the 四即 chain with the key of their day count in `chain_days`. */
export const CHAIN_STEPS = [
  { key: 'signed_to_land', label: '签约即供地', from: '签约', to: '供地' },
  { key: 'land_to_certificate', label: '交地即交证', from: '供地', to: '交证' },
  { key: 'certificate_to_start', label: '拿证即开工', from: '交证', to: '开工' },
  { key: 'completed_to_producing', label: '竣工即投产', from: '竣工', to: '投产' },
] as const

/** Current month as YYYY-MM in Beijing time (default period of a fund entry). */
export function currentPeriod(today: string): string {
  return today.slice(0, 7)
}

/** The month before `today`'s, YYYY-MM: monthly reports are for the month just ended. */
export function previousPeriod(today: string): string {
  const year = Number(today.slice(0, 4))
  const month = Number(today.slice(5, 7))
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`
}

const CREDIT_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

/**
 * Checks a 统一社会信用代码 (GB 32100): 18 characters of the standard's charset whose last
 * one is the check character. The server checks again; this only saves a round trip.
 */
export function validCreditCode(code: string): boolean {
  const s = code.trim().toUpperCase()
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(s)) return false
  let sum = 0
  let weight = 1
  for (let i = 0; i < 17; i++) {
    sum += CREDIT_CHARSET.indexOf(s[i]) * weight
    weight = (weight * 3) % 31
  }
  return CREDIT_CHARSET[(31 - (sum % 31)) % 31] === s[17]
}

/** The export's field for each column of the ledger list (the export's own names). */
export const EXPORT_FIELD_OF_COLUMN: Readonly<Record<string, readonly string[]>> = {
  investor: ['investor_name'],
  region: ['region_code'],
  stage: ['stage'],
  origin: ['origin'],
  industry: ['industry_code'],
  event: ['event'],
  contract: ['contract_fen'],
  arrived: ['arrived_fen'],
  rate: ['arrival_rate'],
  classification: ['classification'],
  contract_usd: ['contract_cents'],
  signed_on: ['signed_on'],
  responsible: ['responsible_unit'],
}

/** The `columns` parameter of an export of the columns shown, in the list's own order. */
export function exportColumns(listOrder: readonly string[], shown: readonly string[]): string {
  return listOrder
    .filter((key) => shown.includes(key))
    .flatMap((key) => EXPORT_FIELD_OF_COLUMN[key] ?? [])
    .join(',')
}
