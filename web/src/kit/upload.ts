// Uploads with progress: Excel imports of tens of thousands of rows take seconds to send and
// seconds to check, and the user should see which of the two is happening.
import type { ApiErrorBody } from '@/api/types'

export type TaskPhase = 'idle' | 'uploading' | 'processing' | 'downloading' | 'done'

export interface TaskProgress {
  phase: TaskPhase
  /** 0–100 while uploading or downloading with a known size; null while the server works. */
  percent: number | null
  startedAt: number
}

export function idleProgress(): TaskProgress {
  return { phase: 'idle', percent: null, startedAt: 0 }
}

/** The server's error body, or one made here when no such body came back. */
export type UploadError = Omit<ApiErrorBody, 'code'> & { code: ApiErrorBody['code'] | 'http_error' | 'network_error' }

export interface UploadResult<T> {
  status: number
  data?: T
  error?: UploadError
}

/**
 * POSTs a multipart form to `path`, reporting upload progress, then "processing" until the
 * server answers. Resolves with the parsed JSON body (as `data` on 2xx, `error` otherwise).
 */
export function uploadWithProgress<T>(
  path: string,
  form: FormData,
  onProgress: (p: TaskProgress) => void,
): Promise<UploadResult<T>> {
  const startedAt = Date.now()
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', path)
    xhr.withCredentials = true
    onProgress({ phase: 'uploading', percent: 0, startedAt })
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress({ phase: 'uploading', percent: Math.floor((e.loaded / e.total) * 100), startedAt })
    }
    xhr.upload.onload = () => onProgress({ phase: 'processing', percent: null, startedAt })
    xhr.onload = () => {
      onProgress({ phase: 'done', percent: 100, startedAt })
      let body: unknown = undefined
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve({ status: xhr.status, data: body as T })
      else
        resolve({
          status: xhr.status,
          error: (body as ApiErrorBody | undefined) ?? { code: 'http_error', message: `请求失败（${xhr.status}）` },
        })
    }
    xhr.onerror = () => {
      onProgress({ phase: 'done', percent: null, startedAt })
      resolve({ status: 0, error: { code: 'network_error', message: '网络连接中断，请检查网络后重试' } })
    }
    xhr.send(form)
  })
}

/**
 * Reads a response body as a Blob, reporting download progress when the size is known (the
 * server builds an export before sending it, so "processing" lasts until the first byte).
 */
export async function blobWithProgress(
  response: Response,
  startedAt: number,
  onProgress: (p: TaskProgress) => void,
): Promise<Blob> {
  const total = Number(response.headers.get('content-length') ?? 0)
  if (!response.body || !total) return response.blob()
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let loaded = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    loaded += value.length
    onProgress({ phase: 'downloading', percent: Math.floor((loaded / total) * 100), startedAt })
  }
  onProgress({ phase: 'done', percent: 100, startedAt })
  return new Blob(chunks as BlobPart[], { type: response.headers.get('content-type') ?? undefined })
}

/** What the progress line says. */
export function progressText(p: TaskProgress, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - p.startedAt) / 1000))
  switch (p.phase) {
    case 'uploading':
      return `正在上传文件… ${p.percent ?? 0}%`
    case 'processing':
      return `服务器正在逐行校验并处理，已用 ${seconds} 秒（大文件约需数秒至数十秒，请勿关闭页面）`
    case 'downloading':
      return `正在下载… ${p.percent ?? 0}%`
    case 'done':
      return `完成，用时 ${seconds} 秒`
    default:
      return ''
  }
}
