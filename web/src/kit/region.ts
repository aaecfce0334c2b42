// Region codes: the paths the cascaders need and the subtree a code lies in.

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
