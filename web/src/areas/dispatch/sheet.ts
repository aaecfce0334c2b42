// The month's dispatch sheet (月度调度表) of a round, downloaded for the signed-in reporter.
import { api } from '@/api/client'
import type { Round } from '@/api/types'
import { filenameFromDisposition, saveBlob } from '@/kit/download'

/** Saves the round's sheet, prefilled with the user's projects and last month's words. */
export async function downloadMonthSheet(round: Pick<Round, 'id' | 'period'>): Promise<void> {
  const { data, response } = await api.GET('/api/dispatch/rounds/{id}/sheet', {
    params: { path: { id: round.id } },
    parseAs: 'blob',
  })
  if (data) saveBlob(data as Blob, filenameFromDisposition(response.headers.get('content-disposition'), `月度调度表_${round.period}.xlsx`))
}
