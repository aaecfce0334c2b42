// Unit categories of the Nan county list (南政发〔2022〕6号 附件).

export const UNIT_CATEGORIES = [
  { value: 'investment', label: '责任招商单位' },
  { value: 'landing', label: '项目落户地' },
  { value: 'encouraged', label: '鼓励招商单位' },
] as const

export const UNIT_SUBCATEGORIES = [
  { value: 'coordinating', label: '综合协调单位' },
  { value: 'industry', label: '产业招商单位' },
] as const

/** Only 责任招商单位 are split into 综合协调 / 产业招商. */
export function hasSubcategory(category: string | null | undefined): boolean {
  return category === 'investment'
}

export function categoryLabel(code: string | null | undefined): string {
  return UNIT_CATEGORIES.find((c) => c.value === code)?.label ?? code ?? ''
}

export function subcategoryLabel(code: string | null | undefined): string {
  return UNIT_SUBCATEGORIES.find((c) => c.value === code)?.label ?? code ?? ''
}
