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

/** The digits every code in a region's subtree starts with: 430000 → 43, 430900 → 4309. */
export function subtreePrefix(code: string): string {
  if (code.slice(2) === '0000') return code.slice(0, 2)
  if (code.slice(4) === '00') return code.slice(0, 4)
  return code
}

/** Whether `code` lies in the subtree of `root` (no root: the whole country). */
export function withinRegion(code: string, root: string | null | undefined): boolean {
  return !root || code.startsWith(subtreePrefix(root))
}
