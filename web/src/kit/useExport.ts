// An Excel export with progress for TaskProgressBar: the server builds the whole workbook before
// the first byte (seconds, for a province's ledger), then the file comes down.
import { ElMessage } from 'element-plus'
import { computed, ref } from 'vue'
import { filenameFromDisposition, saveBlob } from './download'
import { blobWithProgress, idleProgress, type TaskProgress } from './upload'

/** How long the finished bar stays up. */
const DONE_SHOWN_MS = 4000

export function useExport(fallbackName: string) {
  const progress = ref<TaskProgress>(idleProgress())
  const exporting = computed(() => !['idle', 'done'].includes(progress.value.phase))
  let hideDone: ReturnType<typeof setTimeout> | undefined

  /** Sends `request` (an `api.GET` with `parseAs: 'stream'`) and saves the file it answers. */
  async function run(request: () => Promise<{ response: Response }>) {
    clearTimeout(hideDone)
    const startedAt = Date.now()
    progress.value = { phase: 'processing', percent: null, startedAt }
    let response: Response
    try {
      ;({ response } = await request())
    } catch {
      // The API client has already said that the server cannot be reached.
      progress.value = idleProgress()
      return
    }
    if (!response.ok) {
      // The API client has already shown the server's message.
      progress.value = idleProgress()
      return
    }
    try {
      const blob = await blobWithProgress(response, startedAt, (p) => (progress.value = p))
      saveBlob(blob, filenameFromDisposition(response.headers.get('content-disposition'), fallbackName))
    } catch {
      ElMessage.error('网络连接中断，导出未完成')
      progress.value = idleProgress()
      return
    }
    progress.value = { phase: 'done', percent: 100, startedAt }
    hideDone = setTimeout(() => (progress.value = idleProgress()), DONE_SHOWN_MS)
  }

  return { progress, exporting, run }
}
