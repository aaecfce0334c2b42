// The industry dictionary (GB/T 4754) is the same for everyone and does not change while the
// page is open: fetched once and shared by every picker (the ledger filter, the project form).
import { api } from '@/api/client'
import type { IndustrySection } from '@/api/types'

let dictionary: Promise<IndustrySection[]> | null = null

export function industries(): Promise<IndustrySection[]> {
  dictionary ??= api.GET('/api/industries').then(({ data }) => {
    // A failed fetch is tried again next time.
    if (!data) dictionary = null
    return data ?? []
  })
  return dictionary
}
