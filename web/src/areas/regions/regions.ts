// How the regions page names a region's level and the kinds of zone.

export const LEVEL_LABELS: Record<string, string> = {
  province: '省',
  prefecture: '市州',
  county: '县市区',
}

export const ZONE_KIND_LABELS: Record<string, string> = {
  park: '园区/开发区',
  township: '乡镇',
}
