// Monthly dispatch (一月一调度) as pages show it: report and update states, a round's default
// deadline, and the round's filters as the API takes them.

import type { components } from '@/api/schema'
import type { BoardRow, MonthImportPreview, MonthPreviewRow, ProblemInput } from '@/api/types'
import { previousPeriod, type Currency, type FundKind } from '@/areas/ledger/ledger'
import { minorToNumber, parseWanToMinor } from '@/kit/format'

type TagType = 'success' | 'primary' | 'warning' | 'danger' | 'info'

/** Day of the next month a round is due when its organiser names no deadline (as the server). */
export const DEFAULT_DUE_DAY = 5

/** Tag colour of a reporter's state on the board (the server's labels). */
export function reporterStatusTag(status: string): TagType {
  switch (status) {
    case '已报':
      return 'success'
    case '已报（逾期）':
      return 'warning'
    case '填报中':
      return 'primary'
    case '逾期':
    case '退回':
      return 'danger'
    default:
      return 'info'
  }
}

/** An update's state; none means the project has no update for the month yet. */
export function updateStatusLabel(status: string | null | undefined): string {
  switch (status) {
    case 'draft':
      return '草稿'
    case 'submitted':
      return '已报'
    case 'returned':
      return '退回'
    default:
      return '未填报'
  }
}

export function updateStatusTag(status: string | null | undefined): TagType {
  switch (status) {
    case 'draft':
      return 'primary'
    case 'submitted':
      return 'success'
    case 'returned':
      return 'danger'
    default:
      return 'info'
  }
}

/** The month a round is opened for by default: the month just ended. */
export function defaultPeriod(today: string): string {
  return previousPeriod(today)
}

/**
 * The deadline the server gives a round for `period` when none is named: the 5th of the next
 * month, or today when that has passed.
 */
export function defaultDueOn(period: string, today: string): string {
  const year = Number(period.slice(0, 4))
  const month = Number(period.slice(5, 7))
  const [y, m] = month === 12 ? [year + 1, 1] : [year, month + 1]
  const due = `${y}-${String(m).padStart(2, '0')}-${String(DEFAULT_DUE_DAY).padStart(2, '0')}`
  return due < today ? today : due
}

/** "2026-11" → "2026年11月". */
export function periodLabel(period: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period)
  return m ? `${m[1]}年${Number(m[2])}月` : period
}

/** The month before `period`, as officials write it: "2026-01" → "2025年12月". */
export function previousPeriodOf(period: string): string {
  return periodLabel(previousPeriod(`${period}-01`))
}

/** Share of a round's projects reported, 0–100. */
export function progressPercent(submitted: number, total: number): number {
  if (total <= 0) return 0
  return Math.min(100, Math.round((submitted / total) * 100))
}

export interface RoundFilters {
  region: string | null
  q: string
  keyOnly: boolean
}

/** The ledger filters a round is opened with, as query parameters. */
export function roundQuery(f: RoundFilters): { region?: string; q?: string; key_project?: boolean } {
  return {
    region: f.region || undefined,
    q: f.q.trim() || undefined,
    key_project: f.keyOnly || undefined,
  }
}

export const blankProblem = (category = ''): ProblemInput => ({ text: '', category, help_asked: false })

/** The server's error on one field of the i-th problem (`problems[1].category`). */
export function problemError(errors: Record<string, string>, index: number, field: keyof ProblemInput): string {
  return errors[`problems[${index}].${field}`] ?? ''
}

/** Field errors that no field of the update form shows (the month, the state, the version). */
export function otherErrors(errors: Record<string, string>): string[] {
  const shown =
    /^(progress|next_steps|problems(\[\d+\]\.(text|category|help_asked))?|arrival\.(amount|currency|kind|note|override_reason)|stage\.(stage|changed_on))$/
  return Object.entries(errors)
    .filter(([k]) => !shown.test(k))
    .map(([, v]) => v)
}

// ---- the month's money and stage, in the update form ----

type Schemas = components['schemas']
export type ArrivalBody = Schemas['ArrivalInput']
export type StageBody = Schemas['StageInput']

/** The money fields of the update form, as typed (the amount in 万元 or 万美元). */
export interface MoneyForm {
  amount: string
  currency: Currency
  kind: FundKind
  note: string
  override_reason: string
}

export const blankMoney = (currency: Currency = 'CNY'): MoneyForm => ({
  amount: '',
  currency,
  kind: 'fixed_asset',
  note: '',
  override_reason: '',
})

/**
 * The money typed in the update form as the API takes it (minor units): null when no amount
 * was typed, or the message for an amount that is not a 万 figure.
 */
export function arrivalOf(m: MoneyForm): ArrivalBody | null | { error: string } {
  if (!m.amount.trim()) return null
  const unit = m.currency === 'USD' ? '万美元' : '万元'
  const amount = minorToNumber(parseWanToMinor(m.amount))
  if (amount === null) return { error: `请输入以${unit}为单位的金额，最多6位小数` }
  if (amount <= 0) return { error: '到位金额须大于0' }
  return {
    amount,
    currency: m.currency,
    kind: m.kind,
    note: m.note.trim() || null,
    override_reason: m.override_reason.trim() || null,
  }
}

/** The new stage chosen in the update form, or null; a date is required with it. */
export function stageOf(stage: string, changedOn: string): StageBody | null | { error: string } {
  if (!stage) return null
  if (!changedOn) return { error: '请选择达到新阶段的日期' }
  return { stage: stage as StageBody['stage'], changed_on: changedOn }
}

// ---- 月度调度表: the month in one sheet ----

/** The Chinese name of each field of the month sheet (its column headers), for the error list. */
export const MONTH_SHEET_FIELDS: Record<string, string> = {
  round_id: '调度轮次',
  project_id: '项目编号',
  project_name: '项目名称',
  unchanged: '本月无变化',
  progress: '本月进展',
  problem: '存在问题',
  problem_category: '问题类别',
  help_asked: '需上级协调',
  next_steps: '下步计划',
  stage: '新阶段',
  changed_on: '阶段日期',
  amount: '本月到位金额',
  currency: '币种',
  kind: '资金类型',
  receipt: '回单文件',
  override_reason: '超常说明',
}

/** What a checked sheet will submit, in one line: "将报送 3 个项目（本月无变化 2 个）；未填写的 1 行本次不报送". */
export function monthSheetSummary(p: Pick<MonthImportPreview, 'valid_rows' | 'skipped_rows' | 'unchanged_rows' | 'stage_changes' | 'fund_rows'>): string {
  const parts = [
    p.unchanged_rows ? `本月无变化 ${p.unchanged_rows} 个` : '',
    p.stage_changes ? `变更阶段 ${p.stage_changes} 个` : '',
    p.fund_rows ? `填报到位资金 ${p.fund_rows} 笔` : '',
  ].filter(Boolean)
  const what = `将报送 ${p.valid_rows} 个项目${parts.length ? `（${parts.join('，')}）` : ''}`
  return p.skipped_rows ? `${what}；未填写的 ${p.skipped_rows} 行本次不报送` : what
}

/** The month's words of a checked row, as the preview lists them. */
export function monthRowProgress(row: Pick<MonthPreviewRow, 'unchanged' | 'progress'>): string {
  if (row.unchanged) return '本月无变化（沿用上月进展、问题和计划）'
  return row.progress ?? ''
}

/** Projects of the round not yet reported, over the board's reporters. */
export function unreportedProjects(rows: Pick<BoardRow, 'projects' | 'submitted'>[]): number {
  return rows.reduce((n, r) => n + Math.max(0, r.projects - r.submitted), 0)
}

/** What the organiser is asked before closing a round. */
export function closeRoundQuestion(title: string, unreported: number): string {
  const left = unreported
    ? `尚有 ${unreported} 个项目未报送，结束后将记为未报。`
    : '各项目均已报送。'
  return `确定结束“${title}”？${left}结束后不再接受报送，各报送单位未完成的报送任务将撤销；已报送的进展不受影响。`
}

/** What a reporter is asked before submitting the chosen projects as 本月无变化. */
export function batchUnchangedQuestion(count: number): string {
  return `将所选 ${count} 个项目报送为“本月无变化”：沿用上月进展、问题和计划。报送后如需修改，须由组织调度的上级退回。`
}
