// 招商地图: which boundary file draws a region, how a rates row becomes a shaded area, and
// where a click on an area leads. Pure functions, tested in map.test.ts.
import type { RateRow } from '@/api/types'
import { percentValue } from '@/kit/format'

/** The code of the country's own map (its parts are the provinces). */
export const COUNTRY = '100000'

export type Measure = 'arrival_rate' | 'contract' | 'projects'

export const MEASURES: readonly { value: Measure; label: string; unit: string }[] = [
  { value: 'arrival_rate', label: '资金到位率', unit: '%' },
  { value: 'contract', label: '合同金额', unit: '万元' },
  { value: 'projects', label: '签约项目数', unit: '个' },
]

/** A boundary file as public/maps/ holds it (ECharts' GeoJSON, compact or plain). */
export interface MapGeo {
  type: string
  features: { id?: string | number; properties?: { name?: string; adcode?: string | number } }[]
}

/** The map to draw for a region: the country's for national accounts. */
export function mapCode(region: string | null | undefined): string {
  return region || COUNTRY
}

/** Whether a code names a county (the last level, whose parts are zones, not drawn). */
export function isCounty(code: string): boolean {
  return code !== COUNTRY && !code.endsWith('00')
}

/** The boundary file that draws a region: a county is drawn on its prefecture's map. */
export function mapFileFor(code: string): string {
  return isCounty(code) ? `${code.slice(0, 4)}00` : code
}

/** Region code of a feature: its `id`, or `properties.adcode` in a replacement GeoJSON. */
export function featureCode(feature: MapGeo['features'][number]): string {
  return String(feature.id ?? feature.properties?.adcode ?? '')
}

/** The feature names of a map by region code (ECharts matches series data by name). */
export function namesByCode(geo: MapGeo): Map<string, string> {
  const names = new Map<string, string>()
  for (const f of geo.features) {
    const code = featureCode(f)
    if (code && f.properties?.name) names.set(code, f.properties.name)
  }
  return names
}

/** The value a row shows under a measure: a percentage, 万元 or a count; null for none. */
export function measureValue(row: RateRow, measure: Measure): number | null {
  switch (measure) {
    case 'arrival_rate':
      return percentValue(row.arrival_rate)
    case 'contract':
      return Math.round(Number(row.contract_fen) / 100) / 10_000
    case 'projects':
      return row.projects
  }
}

export interface MapDatum {
  /** The feature's name on the map. */
  name: string
  /** The region's name in the directory (shown in the tooltip). */
  region: string
  code: string
  value: number | null
}

/**
 * The regions whose rows by the next level down shade a map: the region itself, except for a
 * municipality (北京、天津、上海、重庆), whose map draws its districts and counties directly
 * under the 市辖区 / 县 levels of the directory.
 */
export function ratesRegionsFor(code: string, geo: MapGeo): string[] {
  if (code === COUNTRY || !code.endsWith('0000')) return [code]
  const parents = new Set<string>()
  for (const f of geo.features) {
    const c = featureCode(f)
    if (/^\d{6}$/.test(c) && !c.endsWith('00')) parents.add(`${c.slice(0, 4)}00`)
  }
  return parents.size ? [...parents].sort() : [code]
}

/** One datum per area of the map that has a rates row, joined by region code. Areas without
 * signed projects are left unshaded. */
export function mapData(geo: MapGeo, rows: readonly RateRow[], measure: Measure): MapDatum[] {
  const names = namesByCode(geo)
  const data: MapDatum[] = []
  for (const row of rows) {
    const name = names.get(row.code)
    if (name) data.push({ name, region: row.name, code: row.code, value: measureValue(row, measure) })
  }
  return data
}

/** The upper end of the colour scale: the largest value, at least 1 (100% for rates). */
export function scaleMax(data: readonly MapDatum[], measure: Measure): number {
  const top = Math.max(0, ...data.map((d) => d.value ?? 0))
  if (measure === 'arrival_rate') return Math.max(100, Math.ceil(top))
  return Math.max(1, top)
}

/**
 * Where a click on an area leads: its own map when there is one (a province's prefectures, a
 * prefecture's counties), else the ledger filtered to it (a county is the last level drawn).
 */
export function drillTarget(
  code: string,
  available: ReadonlySet<string>,
  current: string,
): { kind: 'map' | 'ledger'; code: string } {
  const drawn = !isCounty(code) && code !== current && available.has(code)
  return drawn ? { kind: 'map', code } : { kind: 'ledger', code }
}

/** What is being placed on the map: the next click sets its point. */
export interface Placing {
  kind: 'project' | 'zone'
  id: number
  name: string
}

/** `?place=project:<id>` (or `zone:<id>`) as opened from a project's page; null otherwise. */
export function parsePlace(value: unknown): { kind: 'project' | 'zone'; id: number } | null {
  if (typeof value !== 'string') return null
  const m = /^(project|zone):([1-9][0-9]{0,15})$/.exec(value)
  return m ? { kind: m[1] as 'project' | 'zone', id: Number(m[2]) } : null
}

interface ProjectMarkerLike {
  id: number
  name: string
  region_name: string
  zone_name?: string | null
  stage: string
  contract_fen: number
  contract_cents: number
  lng: number
  lat: number
}

const wan = (minor: number) => (minor / 1_000_000).toLocaleString('zh-CN', { maximumFractionDigits: 2 })

/** Scatter points of placed projects: their coordinates, and the tooltip naming each. */
export function projectPoints(projects: readonly ProjectMarkerLike[], stageLabel: (stage: string) => string) {
  return projects.map((p) => {
    const money = [
      p.contract_fen ? `${wan(p.contract_fen)}万元` : '',
      p.contract_cents ? `${wan(p.contract_cents)}万美元` : '',
    ].filter(Boolean)
    const place = p.zone_name ? `${p.region_name} · ${p.zone_name}` : p.region_name
    return {
      name: p.name,
      id: p.id,
      marker: 'project' as const,
      value: [p.lng, p.lat],
      text: `${p.name}<br/>${place}<br/>${stageLabel(p.stage)}${money.length ? `，合同${money.join('、')}` : ''}`,
    }
  })
}

interface ZoneMarkerLike {
  id: number
  name: string
  kind: string
  county_name: string
  projects: number
  lng: number
  lat: number
}

/** Pins of placed zones, with the count of their projects the reader reaches. */
export function zonePoints(zones: readonly ZoneMarkerLike[]) {
  return zones.map((z) => ({
    name: z.name,
    id: z.id,
    marker: 'zone' as const,
    value: [z.lng, z.lat],
    text: `${z.name}（${z.kind === 'park' ? '园区' : '乡镇'}）<br/>${z.county_name}<br/>落户项目 ${z.projects} 个`,
  }))
}
