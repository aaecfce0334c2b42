import { describe, expect, it } from 'vitest'
import type { RateRow } from '@/api/types'
import { COUNTRY, drillTarget, mapCode, mapFileFor, mapData, measureValue, namesByCode, ratesRegionsFor, scaleMax, type MapGeo } from './map'

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
