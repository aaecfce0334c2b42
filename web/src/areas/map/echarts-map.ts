// The map series, the geo component its points sit on, the point series and the colour scale, registered only when the map page loads, so other
// pages' chunks stay without them.
import { MapChart, ScatterChart } from 'echarts/charts'
import { GeoComponent, VisualMapComponent } from 'echarts/components'
import { echarts } from '@/kit/echarts'
import type { MapGeo } from './map'

echarts.use([MapChart, ScatterChart, GeoComponent, VisualMapComponent])

const registered = new Set<string>()

/** Fetches public/maps/<code>.json once and registers it with ECharts under its code. */
export async function loadMap(code: string): Promise<MapGeo> {
  const response = await fetch(`/maps/${code}.json`)
  if (!response.ok) throw new Error(`地图边界文件 ${code} 缺失（${response.status}）`)
  const geo = (await response.json()) as MapGeo
  if (!registered.has(code)) {
    // ECharts' own types want a plain GeoJSON; the compact encoding is decoded by ECharts too.
    echarts.registerMap(code, geo as unknown as Parameters<typeof echarts.registerMap>[1])
    registered.add(code)
  }
  return geo
}

/** The codes that have a boundary file (public/maps/index.json). */
export async function availableMaps(): Promise<Set<string>> {
  const response = await fetch('/maps/index.json')
  if (!response.ok) return new Set()
  return new Set((await response.json()) as string[])
}
