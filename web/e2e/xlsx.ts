// Just enough of .xlsx for the browser tests to fill in a downloaded sheet as a clerk would in
// Excel and to read an export back: a workbook is a zip of XML parts, read and written here
// with node:zlib, so no spreadsheet library is needed. Only what the server's own workbooks
// use is handled (deflate or stored entries, no zip64, shared or inline strings).
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib'

type Parts = Map<string, Buffer>

function unzip(zip: Buffer): Parts {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (end < 0) throw new Error('not a zip file')
  const count = zip.readUInt16LE(end + 10)
  let at = zip.readUInt32LE(end + 16)
  const parts: Parts = new Map()
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10)
    const size = zip.readUInt32LE(at + 20)
    const nameLength = zip.readUInt16LE(at + 28)
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
    const local = zip.readUInt32LE(at + 42)
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength)
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
    const data = zip.subarray(start, start + size)
    parts.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data))
    at += 46 + skip
  }
  return parts
}

function zip(parts: Parts): Buffer {
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const [name, data] of parts) {
    const packed = deflateRawSync(data)
    const fileName = Buffer.from(name, 'utf8')
    const header = Buffer.alloc(30)
    header.writeUInt32LE(0x04034b50, 0)
    header.writeUInt16LE(20, 4)
    header.writeUInt16LE(0x0800, 6) // names in UTF-8
    header.writeUInt16LE(8, 8)
    header.writeUInt32LE(crc32(data), 14)
    header.writeUInt32LE(packed.length, 18)
    header.writeUInt32LE(data.length, 22)
    header.writeUInt16LE(fileName.length, 26)
    const entry = Buffer.alloc(46)
    entry.writeUInt32LE(0x02014b50, 0)
    entry.writeUInt16LE(20, 4)
    entry.writeUInt16LE(20, 6)
    entry.writeUInt16LE(0x0800, 8)
    entry.writeUInt16LE(8, 10)
    entry.writeUInt32LE(crc32(data), 16)
    entry.writeUInt32LE(packed.length, 20)
    entry.writeUInt32LE(data.length, 24)
    entry.writeUInt16LE(fileName.length, 28)
    entry.writeUInt32LE(offset, 42)
    locals.push(header, fileName, packed)
    central.push(entry, fileName)
    offset += header.length + fileName.length + packed.length
  }
  const directory = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(parts.size, 8)
  end.writeUInt16LE(parts.size, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

const unescape = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&')
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** "AB" → 28. */
function columnNumber(letters: string): number {
  return [...letters].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0)
}

function sharedStrings(parts: Parts): string[] {
  const xml = parts.get('xl/sharedStrings.xml')?.toString('utf8') ?? ''
  return [...xml.matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) =>
    unescape([...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')),
  )
}

/** The first sheet's rows as text, keyed by cell reference (`B2`). */
function cells(parts: Parts, sheet = 'xl/worksheets/sheet1.xml'): Map<string, string> {
  const strings = sharedStrings(parts)
  const xml = parts.get(sheet)!.toString('utf8')
  const out = new Map<string, string>()
  for (const m of xml.matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const [, ref, attrs, body = ''] = m
    const type = /t="(\w+)"/.exec(attrs)?.[1]
    const value = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1]
    if (type === 's' && value != null) out.set(ref, strings[Number(value)])
    else if (type === 'inlineStr') out.set(ref, unescape([...body.matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')))
    else if (value != null) out.set(ref, unescape(value))
  }
  return out
}

/** Every text of a workbook's first sheet, row by row, for checking an export. */
export function sheetRows(workbook: Buffer): string[][] {
  const byRef = cells(unzip(workbook))
  const rows: string[][] = []
  for (const [ref, text] of byRef) {
    const [, col, row] = /^([A-Z]+)(\d+)$/.exec(ref)!
    ;(rows[Number(row) - 1] ??= [])[columnNumber(col) - 1] = text
  }
  return Array.from(rows, (r) => Array.from(r ?? [], (t) => t ?? ''))
}

/**
 * Types `values` into the first sheet, by header and by the row whose `keyHeader` cell reads
 * `key` — as a clerk finds a project's line and fills its columns. Returns the new workbook
 * and the number of cells written.
 */
export function fillSheet(
  workbook: Buffer,
  keyHeader: string,
  rows: Record<string, Record<string, string>>,
): { workbook: Buffer; cellsFilled: number } {
  const parts = unzip(workbook)
  const sheet = 'xl/worksheets/sheet1.xml'
  const byRef = cells(parts, sheet)
  const header = new Map<string, string>()
  for (const [ref, text] of byRef) {
    const m = /^([A-Z]+)1$/.exec(ref)
    if (m) header.set(text.replace(/^\*/, ''), m[1])
  }
  const column = (name: string) => {
    const c = header.get(name)
    if (!c) throw new Error(`no column ${name} in ${[...header.keys()].join('|')}`)
    return c
  }
  let xml = parts.get(sheet)!.toString('utf8')
  let cellsFilled = 0
  for (const [key, values] of Object.entries(rows)) {
    const keyCol = column(keyHeader)
    const found = [...byRef].find(([ref, text]) => text === key && new RegExp(`^${keyCol}\\d+$`).test(ref))
    if (!found) throw new Error(`no row with ${keyHeader} ${key}`)
    const row = found[0].slice(keyCol.length)
    const rowXml = new RegExp(`(<row r="${row}"[^>]*>)([\\s\\S]*?)</row>`).exec(xml)!
    const kept = [...rowXml[2].matchAll(/<c r="([A-Z]+)\d+"[\s\S]*?(?:\/>|<\/c>)/g)].map((m) => ({ col: m[1], xml: m[0] }))
    const written = Object.entries(values).map(([name, text]) => {
      const col = column(name)
      return { col, xml: `<c r="${col}${row}" t="inlineStr"><is><t xml:space="preserve">${escape(text)}</t></is></c>` }
    })
    const replaced = new Set(written.map((w) => w.col))
    const all = [...kept.filter((k) => !replaced.has(k.col)), ...written].sort((a, b) => columnNumber(a.col) - columnNumber(b.col))
    xml = xml.replace(rowXml[0], `${rowXml[1]}${all.map((c) => c.xml).join('')}</row>`)
    cellsFilled += written.length
  }
  parts.set(sheet, Buffer.from(xml, 'utf8'))
  return { workbook: zip(parts), cellsFilled }
}
