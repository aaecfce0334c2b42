import { describe, expect, it } from 'vitest'
import { filenameFromDisposition } from './download'

describe('filenameFromDisposition', () => {
  it('prefers the UTF-8 file name', () => {
    expect(
      filenameFromDisposition(
        `attachment; filename="units.xlsx"; filename*=UTF-8''%E5%8D%95%E4%BD%8D%E5%90%8D%E5%BD%95.xlsx`,
        'x.xlsx',
      ),
    ).toBe('单位名录.xlsx')
  })
  it('falls back to the plain name, then to the default', () => {
    expect(filenameFromDisposition('attachment; filename="units.xlsx"', 'x.xlsx')).toBe('units.xlsx')
    expect(filenameFromDisposition('attachment; filename=units.xlsx', 'x.xlsx')).toBe('units.xlsx')
    expect(filenameFromDisposition(null, 'x.xlsx')).toBe('x.xlsx')
  })
})
