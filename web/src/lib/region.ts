// Region paths as the cascaders need them.

export interface RegionLike {
  code: string
}

/**
 * Cuts an ancestor path (root → self) so it starts at one of the user's scope roots, the
 * first level the cascader offers. Returns null when the region lies outside every root.
 */
export function pathFromScope(path: readonly RegionLike[], rootCodes: readonly string[]): string[] | null {
  const start = path.findIndex((r) => rootCodes.includes(r.code))
  return start < 0 ? null : path.slice(start).map((r) => r.code)
}

export const LEVEL_LABELS: Record<string, string> = {
  province: '省',
  prefecture: '市州',
  county: '县市区',
}

export const ZONE_KIND_LABELS: Record<string, string> = {
  park: '园区/开发区',
  township: '乡镇',
}
