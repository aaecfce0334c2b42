// The ledger rules page's units: thresholds typed as percentages and sent in basis points
// (5000 = 50%); tier amounts typed in 亿元 or 万美元 and sent in 分 or US cents. Exact decimal
// arithmetic on strings and bigints, never floating point.

export type AmountUnit = 'yi_yuan' | 'wan_usd'

export const UNIT_LABELS: Record<AmountUnit, string> = { yi_yuan: '亿元', wan_usd: '万美元' }

/** Minor units in one unit of input: 1亿元 = 10^10 分, 1万美元 = 10^6 cents. */
const MINOR_DIGITS: Record<AmountUnit, number> = { yi_yuan: 10, wan_usd: 6 }
/** Decimals accepted in the input: to 100元 for 亿元, to the cent for 万美元. */
const INPUT_DECIMALS: Record<AmountUnit, number> = { yi_yuan: 6, wan_usd: 6 }

/** Parses a non-negative decimal with at most `decimals` places, scaled by 10^digits. */
function parseScaled(text: string, digits: number, decimals: number): bigint | null {
  const s = text.trim().replace(/[,，\s]/g, '')
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s) ?? /^()\.(\d+)$/.exec(s)
  if (!m) return null
  const frac = (m[2] ?? '').replace(/0+$/, '')
  if (frac.length > decimals) return null
  return BigInt(m[1] || '0') * 10n ** BigInt(digits) + BigInt(frac.padEnd(digits, '0') || '0')
}

/** Renders `value / 10^digits` without trailing zeros: 15000 (digits 4) → "1.5". */
function formatScaled(value: number | bigint, digits: number): string {
  const big = BigInt(value)
  const negative = big < 0n
  const abs = negative ? -big : big
  const unit = 10n ** BigInt(digits)
  const frac = (abs % unit).toString().padStart(digits, '0').replace(/0+$/, '')
  return `${negative ? '-' : ''}${abs / unit}${frac ? '.' + frac : ''}`
}

/** 5000 → "50", 1250 → "12.5". */
export function bpToPercent(bp: number): string {
  return formatScaled(bp, 2)
}

/** "50" → 5000, "12.5" → 1250; null unless a number with at most two decimals. */
export function percentToBp(text: string): number | null {
  const bp = parseScaled(text, 2, 2)
  return bp === null ? null : Number(bp)
}

/** An amount in minor units as typed in its unit: 10^10 分 → "1" (亿元). */
export function amountToInput(amount: number, unit: AmountUnit): string {
  return formatScaled(amount, MINOR_DIGITS[unit])
}

/** "1.5" 亿元 → 15_000_000_000 分; null when unreadable, negative or too large for JSON. */
export function inputToAmount(text: string, unit: AmountUnit): number | null {
  const minor = parseScaled(text, MINOR_DIGITS[unit], INPUT_DECIMALS[unit])
  if (minor === null) return null
  const n = Number(minor)
  return Number.isSafeInteger(n) ? n : null
}

/** The unit a condition kind's amount is typed in. */
export function unitOf(kinds: readonly { code: string; unit: string }[], kind: string): AmountUnit {
  return kinds.find((k) => k.code === kind)?.unit === 'wan_usd' ? 'wan_usd' : 'yi_yuan'
}

// The automatic close (自动月结): a switch and a number of days after a dispatch round's
// deadline, sent as `auto_close_days` (null: months are closed by hand only).

export const AUTO_CLOSE_MAX_DAYS = 31
/** Offered when the switch is turned on for the first time. */
export const AUTO_CLOSE_SUGGESTED_DAYS = 5

/** The value to send: null when off; undefined (unreadable) when on without 0 to 31 whole days. */
export function autoCloseDays(on: boolean, days: number | null | undefined): number | null | undefined {
  if (!on) return null
  if (days === null || days === undefined || !Number.isInteger(days)) return undefined
  return days >= 0 && days <= AUTO_CLOSE_MAX_DAYS ? days : undefined
}

/** One line for the rules in force: "自动月结：调度截止后第5天". */
export function autoCloseSummary(days: number | null | undefined): string {
  if (days === null || days === undefined) return '自动月结：未开启，各月由商务部门人工月结'
  return days === 0 ? '自动月结：调度截止当天' : `自动月结：调度截止后第${days}天`
}

/** What the automatic close does, under the switch. */
export function autoCloseExplanation(days: number | null | undefined): string {
  const off = days === null || days === undefined
  const when = off ? '截止后第 N 天' : days === 0 ? '截止当天' : `截止后第${days}天`
  const what =
    `每月的月度调度${when}起（且该月已经结束），系统自动为该月月结（每小时检查一次）：按发起调度的商务部门的辖区，` +
    '冻结该月签约项目的合同金额、到位资金与开工情况，通报按冻结的数字编制；此后对该月资金的补报或更正计入下一个未月结的月份。' +
    '该辖区或其上级已人工月结的月份不再重复月结。'
  return off ? `未开启：各月只由各级商务部门在“通报”页面人工月结。开启后，${what}` : what
}
