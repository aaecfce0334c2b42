// Display formatting shared by every page: dates as YYYY-MM-DD (HH:mm), money in 万元/亿元.

const SHANGHAI = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i

/** Splits a timestamp into Beijing-time parts; timestamps without a zone are taken as written. */
function parts(value: string): { date: string; time: string } | null {
  const trimmed = value.trim()
  if (!HAS_ZONE.test(trimmed)) {
    const m = NAIVE.exec(trimmed)
    if (!m) return null
    return { date: `${m[1]}-${m[2]}-${m[3]}`, time: `${m[4] ?? '00'}:${m[5] ?? '00'}` }
  }
  const d = new Date(trimmed)
  if (Number.isNaN(d.getTime())) return null
  const p = Object.fromEntries(SHANGHAI.formatToParts(d).map((x) => [x.type, x.value]))
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` }
}

/** `2026-03-01T02:05:00Z` → `2026-03-01 10:05` (Beijing time). Empty for null. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return ''
  const p = parts(value)
  return p ? `${p.date} ${p.time}` : value
}

/** `2026-03-01T02:05:00Z` → `2026-03-01`. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return ''
  const p = parts(value)
  return p ? p.date : value
}

/** Today in Beijing as YYYY-MM-DD (for date filters). */
export function todayIso(now: Date = new Date()): string {
  const p = Object.fromEntries(SHANGHAI.formatToParts(now).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day}`
}

/** Groups the integer digits of a non-negative decimal string with commas. */
export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/**
 * Parses a decimal amount in 元 ("12345.6", "-3", 1200) into integer 分 without going
 * through floating point, so large sums keep every digit.
 */
export function parseYuanToFen(value: string | number): bigint | null {
  const s = typeof value === 'number' ? value.toFixed(2) : value.trim().replace(/,/g, '')
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(s)
  if (!m) return null
  const frac = (m[3] ?? '').padEnd(3, '0')
  let fen = BigInt(m[2]) * 100n + BigInt(frac.slice(0, 2))
  if (Number(frac[2]) >= 5) fen += 1n // half-up on the third decimal
  return m[1] ? -fen : fen
}

/** Divides 分 by 10^shift and renders it with `decimals` places, half-up. */
function scaleFen(fen: bigint, shift: number, decimals: number): string {
  const negative = fen < 0n
  const abs = negative ? -fen : fen
  const divisor = 10n ** BigInt(2 + shift - decimals)
  let scaled = abs / divisor
  if ((abs % divisor) * 2n >= divisor) scaled += 1n
  const unit = 10n ** BigInt(decimals)
  const int = groupThousands((scaled / unit).toString())
  const frac = decimals > 0 ? '.' + (scaled % unit).toString().padStart(decimals, '0') : ''
  return `${negative && scaled !== 0n ? '-' : ''}${int}${frac}`
}

/** An amount in 元 shown in 万元 with two decimals: 12345678 → "1,234.57 万元". */
export function formatWanYuan(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return ''
  const fen = parseYuanToFen(value)
  return fen === null ? String(value) : `${scaleFen(fen, 4, 2)} 万元`
}

/** An amount in 元 in the unit officials read it in: 亿元 from 1亿 up, else 万元. */
export function formatAmount(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return ''
  const fen = parseYuanToFen(value)
  if (fen === null) return String(value)
  const abs = fen < 0n ? -fen : fen
  return abs >= 10_000_000_000n ? `${scaleFen(fen, 8, 2)} 亿元` : `${scaleFen(fen, 4, 2)} 万元`
}

// ---- Ledger amounts: integer minor units (分 for 元, cents for US dollars) ----

type Minor = number | bigint | null | undefined

function toBig(value: number | bigint): bigint | null {
  if (typeof value === 'bigint') return value
  return Number.isSafeInteger(value) ? BigInt(value) : null
}

/**
 * An amount in minor units shown in 万 (万元 for 分, 万美元 for cents) with two decimals,
 * thousands separators, rounding half up: 20_000_000_000 → "20,000.00". Empty for null.
 */
export function formatMinorWan(value: Minor): string {
  if (value === null || value === undefined) return ''
  const big = toBig(value)
  return big === null ? String(value) : scaleFen(big, 4, 2)
}

/** 分 → "20,000.00 万元". */
export function formatFenWan(fen: Minor): string {
  const s = formatMinorWan(fen)
  return s ? `${s} 万元` : ''
}

/** US cents → "1,234.50 万美元". */
export function formatCentsWan(cents: Minor): string {
  const s = formatMinorWan(cents)
  return s ? `${s} 万美元` : ''
}

/** A fund record's amount in its own currency: CNY in 万元, USD in 万美元. */
export function formatMoneyWan(amount: Minor, currency: string | null | undefined): string {
  return currency === 'USD' ? formatCentsWan(amount) : formatFenWan(amount)
}

/**
 * An amount in minor units in the unit officials read it in: 亿 from 1亿 up (a figure of
 * eight digits in 万 is hard to read), else 万; 元 for CNY, 美元 for USD.
 */
export function formatMoneyScaled(amount: Minor, currency: string | null | undefined): string {
  if (amount === null || amount === undefined) return ''
  const big = toBig(amount)
  if (big === null) return String(amount)
  const unit = currency === 'USD' ? '美元' : '元'
  const abs = big < 0n ? -big : big
  return abs >= 10_000_000_000n ? `${scaleFen(big, 8, 2)} 亿${unit}` : `${scaleFen(big, 4, 2)} 万${unit}`
}

/**
 * A project's contract (or arrival) in its own currency, one line per currency it has: 元
 * when it has a domestic amount, 美元 when it has a foreign one; "—" when it has neither.
 */
export function projectMoney(fen: Minor, cents: Minor): string[] {
  const lines: string[] = []
  if (fen) lines.push(formatMoneyScaled(fen, 'CNY'))
  if (cents) lines.push(formatMoneyScaled(cents, 'USD'))
  return lines.length ? lines : ['—']
}

/**
 * Parses an amount typed in 万 ("20000", "1,234.5", "0.000001") into integer minor units
 * (分 or cents) exactly: 1 万 = 1,000,000 minor units, so up to six decimals are kept and
 * more are refused (null) rather than rounded away. No floating point anywhere.
 */
export function parseWanToMinor(value: string | null | undefined): bigint | null {
  if (value === null || value === undefined) return null
  const s = value.trim().replace(/[,，\s]/g, '')
  const m = /^(-)?(\d+)(?:\.(\d*))?$/.exec(s) ?? /^(-)?()\.(\d+)$/.exec(s)
  if (!m) return null
  const frac = m[3] ?? ''
  if (frac.length > 6) return null
  const minor = BigInt(m[2] || '0') * 1_000_000n + BigInt(frac.padEnd(6, '0'))
  return m[1] ? -minor : minor
}

/** Minor units as a JSON number, or null when they would not survive as one (beyond 2^53). */
export function minorToNumber(minor: bigint | null): number | null {
  if (minor === null) return null
  const n = Number(minor)
  return Number.isSafeInteger(n) && BigInt(n) === minor ? n : null
}

/** Minor units back into the 万 text an input shows, without trailing zeros: 20_000_000_000 → "20000". */
export function minorToWanInput(value: Minor): string {
  if (value === null || value === undefined) return ''
  const big = toBig(value)
  if (big === null) return ''
  const negative = big < 0n
  const abs = negative ? -big : big
  const int = (abs / 1_000_000n).toString()
  const frac = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '')
  return `${negative ? '-' : ''}${int}${frac ? '.' + frac : ''}`
}

/** "23.50%" → 23.5 for charts (display keeps the server's string). */
export function percentValue(rate: string | null | undefined): number | null {
  if (!rate) return null
  const m = /^(-?\d+(?:\.\d+)?)%$/.exec(rate.trim())
  return m ? Number(m[1]) : null
}

/** "还剩 3 天", "今天截止", "逾期 2 天" from the days the server counts to a deadline. */
export function daysLeftText(days: number | null | undefined): string {
  if (days === null || days === undefined) return ''
  if (days > 0) return `还剩 ${days} 天`
  if (days === 0) return '今天截止'
  return `逾期 ${-days} 天`
}

/** Basis points as a percentage for inputs and labels: 2000 → 20, 1250 → 12.5. */
export function basisPointsToPercent(bp: number): number {
  return bp / 100
}

/** A percentage typed in a form as basis points: 20 → 2000, 12.5 → 1250. */
export function percentToBasisPoints(percent: number): number {
  return Math.round(percent * 100)
}
