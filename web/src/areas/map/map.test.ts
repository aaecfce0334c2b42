import { describe, expect, it } from 'vitest'
import type { RateRow } from '@/api/types'
import { COUNTRY, drillTarget, mapCode, mapFileFor, mapData, measureValue, namesByCode, parsePlace, projectPoints, ratesRegionsFor, scaleMax, zonePoints, type MapGeo } from './map'

const yiyang: MapGeo = {
  type: 'FeatureCollection',
  features: [
    { id: '430902', properties: { name: '资阳区' } },
    { id: '430921', properties: { name: '南县' } },
    { id: '430981', properties: { name: '沅江市' } },
  ],
}

function row(code: string, name: string, over: Partial<RateRow> = {}): RateRow {
  return {
    code,
    name,
    projects: 0,
    contract_fen: 0,
    arrived_fen: 0,
    contract_cents: 0,
    arrived_cents: 0,
    fulfilling: 0,
    started: 0,
    excellent: 0,
    good: 0,
    fair: 0,
    not_fulfilled: 0,
    missing_contract: 0,
    arrival_rate: null,
    ...over,
  } as RateRow
}

describe('investment map', () => {
  it('draws the country for national accounts and the own region otherwise', () => {
    expect(mapCode(null)).toBe(COUNTRY)
    expect(mapCode('430900')).toBe('430900')
  })

  it('joins rows to areas by region code, not by name', () => {
    // The directory says 南县; a replacement map could spell it otherwise — the code decides.
    const rows = [row('430921', '南县', { projects: 12, arrival_rate: '23.50%' }), row('430981', '沅江市', { projects: 3 })]
    const data = mapData({ ...yiyang, features: [...yiyang.features, { properties: { adcode: 430923, name: '安化' } }] }, rows, 'arrival_rate')
    expect(data).toEqual([
      { name: '南县', region: '南县', code: '430921', value: 23.5 },
      { name: '沅江市', region: '沅江市', code: '430981', value: null },
    ])
    expect(namesByCode(yiyang).get('430902')).toBe('资阳区')
  })

  it('shows amounts in 万元 and counts as they are', () => {
    const r = row('430921', '南县', { projects: 7, contract_fen: 1_234_567_800 })
    expect(measureValue(r, 'contract')).toBe(1234.5678)
    expect(measureValue(r, 'projects')).toBe(7)
  })

  it('scales rates to at least 100% and amounts to their largest value', () => {
    const d = (value: number | null) => ({ name: '', region: '', code: '', value })
    expect(scaleMax([d(23.5), d(null)], 'arrival_rate')).toBe(100)
    expect(scaleMax([d(180.2)], 'arrival_rate')).toBe(181)
    expect(scaleMax([d(12), d(40)], 'projects')).toBe(40)
    expect(scaleMax([], 'contract')).toBe(1)
  })

  it('shades a municipality from its 市辖区 and 县 levels', () => {
    const chongqing: MapGeo = {
      type: 'FeatureCollection',
      features: [{ id: '500101' }, { id: '500102' }, { id: '500229' }],
    }
    expect(ratesRegionsFor('500000', chongqing)).toEqual(['500100', '500200'])
    const hunan: MapGeo = { type: 'FeatureCollection', features: [{ id: '430100' }, { id: '430900' }] }
    expect(ratesRegionsFor('430000', hunan)).toEqual(['430000'])
    expect(ratesRegionsFor('430900', yiyang)).toEqual(['430900'])
    expect(ratesRegionsFor(COUNTRY, hunan)).toEqual([COUNTRY])
  })

  it('drills into a map where there is one and into the ledger at a county', () => {
    const maps = new Set([COUNTRY, '430000', '430900'])
    expect(drillTarget('430900', maps, '430000')).toEqual({ kind: 'map', code: '430900' })
    expect(drillTarget('430921', maps, '430900')).toEqual({ kind: 'ledger', code: '430921' })
    // A county account's own county, drawn on its prefecture's map, opens its projects.
    expect(drillTarget('430921', maps, '430921')).toEqual({ kind: 'ledger', code: '430921' })
  })

  it('draws a county on its prefecture\'s map', () => {
    expect(mapFileFor('430921')).toBe('430900')
    expect(mapFileFor('430900')).toBe('430900')
    expect(mapFileFor(COUNTRY)).toBe(COUNTRY)
  })
})

describe('placing and points', () => {
  it('reads only a well-formed place parameter', () => {
    expect(parsePlace('project:42')).toEqual({ kind: 'project', id: 42 })
    expect(parsePlace('zone:7')).toEqual({ kind: 'zone', id: 7 })
    expect(parsePlace('project:0')).toBeNull()
    expect(parsePlace('project:abc')).toBeNull()
    expect(parsePlace(['project:1'])).toBeNull()
    expect(parsePlace(undefined)).toBeNull()
  })

  it('draws a project at its coordinates, named with its place, stage and contract in both currencies apart', () => {
    const [point] = projectPoints(
      [
        {
          id: 3,
          name: '南县稻虾产业园',
          region_name: '南县',
          zone_name: '南县经济开发区',
          stage: 'started',
          contract_fen: 150_000_000_000,
          contract_cents: 2_000_000_000,
          lng: 112.4,
          lat: 29.36,
        },
      ],
      (s) => (s === 'started' ? '已开工' : s),
    )
    expect(point.value).toEqual([112.4, 29.36])
    expect(point.marker).toBe('project')
    expect(point.text).toContain('南县 · 南县经济开发区')
    expect(point.text).toContain('已开工，合同150,000万元、2,000万美元')
  })

  it('pins a zone with the count of its projects', () => {
    const [pin] = zonePoints([{ id: 1, name: '南县经济开发区', kind: 'park', county_name: '南县', projects: 12, lng: 112.4, lat: 29.3 }])
    expect(pin.text).toBe('南县经济开发区（园区）<br/>南县<br/>落户项目 12 个')
  })
})
