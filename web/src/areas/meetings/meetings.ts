// Meetings (调度会 / 联席会议) as pages show them: the kinds, a decision row as the form edits it
// and as the API takes it, and the server's field errors put back on the right row.

import type { DecisionInput, MeetingInput, MeetingKind } from '@/api/types'

type TagType = 'success' | 'primary' | 'warning' | 'danger' | 'info'

/** The kinds in the order the form offers them, with the server's labels. */
export const MEETING_KINDS: readonly { value: MeetingKind; label: string }[] = [
  { value: 'dispatch', label: '项目调度会' },
  { value: 'joint', label: '联席会议' },
  { value: 'special', label: '专题调度会' },
  { value: 'consultation', label: '部门会商' },
]

export function kindTag(kind: string): TagType {
  switch (kind) {
    case 'joint':
      return 'primary'
    case 'special':
      return 'warning'
    case 'consultation':
      return 'success'
    default:
      return 'info'
  }
}

/** Tag colour of a decision's state: 已办结 green, 退回重办 red, 办理中 blue. */
export function decisionStatusTag(d: { status: string; result?: string | null }): TagType {
  if (d.status === 'done') return 'success'
  return d.result ? 'danger' : 'primary'
}

/**
 * One decision as the form edits it. Who answers for it is a unit or a region's bureau; for a
 * unit, `region` only narrows the units offered.
 */
export interface DecisionRow {
  content: string
  assignee: 'unit' | 'region'
  region: string | null
  unit_id: number | null
  /** The unit's name, for the picker to show before its options load. */
  unit_name?: string | null
  project_id: number | null
  project_name?: string | null
  due_on: string | null
}

export const blankDecision = (region: string | null = null, due_on: string | null = null): DecisionRow => ({
  content: '',
  assignee: 'unit',
  region,
  unit_id: null,
  project_id: null,
  due_on,
})

/** A row nobody has written anything in (its region and date may be prefilled). */
export function isBlankDecision(row: DecisionRow): boolean {
  return !row.content.trim() && row.unit_id == null && row.project_id == null && (row.assignee === 'unit' || !row.region)
}

/** A row as the API takes it: exactly one of `unit_id` and `region_code`. */
export function decisionPayload(row: DecisionRow): DecisionInput {
  return {
    content: row.content.trim(),
    unit_id: row.assignee === 'unit' ? row.unit_id : null,
    region_code: row.assignee === 'region' ? row.region : null,
    project_id: row.project_id,
    due_on: row.due_on ?? '',
  }
}

export interface MeetingFields {
  kind: MeetingKind
  title: string
  held_on: string | null
  place: string
  chair: string
  attendees: string
  minutes: string
}

const text = (v: string) => v.trim() || null

/**
 * A meeting as the API takes it. On creation the decisions go with it (rows left wholly blank
 * dropped by the caller, so the server's row numbers are the form's); an edit sends none and
 * the version read.
 */
export function meetingPayload(f: MeetingFields, decisions: DecisionRow[], version?: number): MeetingInput {
  return {
    kind: f.kind,
    title: f.title.trim(),
    held_on: f.held_on ?? '',
    place: text(f.place),
    chair: text(f.chair),
    attendees: text(f.attendees),
    minutes: text(f.minutes),
    decisions: decisions.map(decisionPayload),
    ...(version === undefined ? {} : { version }),
  }
}

export type DecisionField = 'content' | 'assignee' | 'due_on' | 'project_id'

/**
 * The server's error on one field of the i-th decision (`decisions[1].due_on`). Who answers
 * for it is one cell of the form, whichever of `unit_id` and `region_code` the server names.
 */
export function decisionError(errors: Record<string, string>, index: number, field: DecisionField): string {
  const at = (f: string) => errors[`decisions[${index}].${f}`]
  if (field === 'assignee') return [at('unit_id'), at('region_code')].filter(Boolean).join('；')
  return at(field) ?? ''
}

/** The rows that have an error, for the form to say where to look. */
export function rowsWithErrors(errors: Record<string, string>): number[] {
  const rows = new Set<number>()
  for (const key of Object.keys(errors)) {
    const m = /^decisions\[(\d+)\]\./.exec(key)
    if (m) rows.add(Number(m[1]))
  }
  return [...rows].sort((a, b) => a - b)
}

const MEETING_FIELDS = ['kind', 'title', 'held_on', 'place', 'chair', 'attendees', 'minutes']

/** Field errors that no field of the form shows (`decisions` as a whole, the version). */
export function otherErrors(errors: Record<string, string>): string[] {
  return Object.entries(errors)
    .filter(([k]) => !MEETING_FIELDS.includes(k) && !/^decisions\[\d+\]\.(content|unit_id|region_code|due_on|project_id)$/.test(k))
    .map(([, v]) => v)
}

/** 2026-12-06 → 2026年12月6日, as the minutes write it. */
export function chineseDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : date
}

/** A new decision's deadline: a month after the meeting, and never before today. */
export function defaultDueOn(heldOn: string | null, today: string): string | null {
  if (!heldOn) return null
  const due = addDays(heldOn, 30)
  return due < today ? today : due
}

/** The date `days` after `date` (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number)
  const t = new Date(Date.UTC(y, m - 1, d + days))
  return t.toISOString().slice(0, 10)
}
