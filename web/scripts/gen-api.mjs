// Generates src/api/schema.d.ts from ../docs/openapi.json; with --check, only compares
// (the drift check: the committed types must be what the committed document gives).
//
// Duplicate operationIds are refused: openapi-typescript keys its `operations` map by them,
// so a duplicate would silently give one endpoint another's types.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript'

const web = join(dirname(fileURLToPath(import.meta.url)), '..')
const specPath = join(web, '..', 'docs', 'openapi.json')
const outPath = join(web, 'src', 'api', 'schema.d.ts')
const check = process.argv.includes('--check')

const spec = JSON.parse(readFileSync(specPath, 'utf8'))
const operations = Object.values(spec.paths ?? {}).flatMap((item) =>
  Object.values(item).filter((op) => op && typeof op === 'object' && 'responses' in op),
)
const counts = new Map()
for (const op of operations) if (op.operationId) counts.set(op.operationId, (counts.get(op.operationId) ?? 0) + 1)
const duplicates = [...counts].filter(([, n]) => n > 1).map(([id]) => id)
if (duplicates.length) {
  console.error(`docs/openapi.json repeats operationIds: ${duplicates.join(', ')}; each operation needs its own.`)
  process.exit(1)
}

const generated = COMMENT_HEADER + astToString(await openapiTS(spec))

if (check) {
  let committed = ''
  try {
    committed = readFileSync(outPath, 'utf8')
  } catch {
    /* missing counts as drift */
  }
  if (committed !== generated) {
    const a = committed.split('\n')
    const b = generated.split('\n')
    const line = b.findIndex((l, i) => l !== a[i])
    console.error(`src/api/schema.d.ts is out of date with docs/openapi.json (first difference at line ${line + 1}):`)
    console.error(`  committed: ${a[line] ?? '<end of file>'}`)
    console.error(`  generated: ${b[line] ?? '<end of file>'}`)
    console.error('Run `npm run gen:api` in web/ and commit the result.')
    process.exit(1)
  }
  console.log('src/api/schema.d.ts matches docs/openapi.json')
} else {
  mkdirSync(dirname(outPath), { recursive: true })
  writeFileSync(outPath, generated)
  console.log(`wrote ${outPath}`)
}
