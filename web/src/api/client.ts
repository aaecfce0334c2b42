// The one HTTP client of the app, typed from the OpenAPI document (schema.d.ts).
import { ElMessage } from 'element-plus'
import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './schema'
import type { ApiErrorBody } from './types'

export type { ApiErrorBody }

/** Requests whose failures the calling page reports itself (or that fail routinely). */
const QUIET_PATHS = [
  '/api/auth/login',
  '/api/auth/me',
  '/api/auth/login/code',
  '/api/auth/login/enrol',
  '/api/auth/login/enrol/confirm',
]

let onUnauthenticated: () => void = () => {
  if (window.location.pathname !== '/login') window.location.assign('/login')
}

/** Error codes that mean: change the password before anything else. */
const FORCED_CHANGE: string[] = ['password_change_required', 'password_expired']

let onPasswordChangeRequired: () => void = () => {
  if (window.location.pathname !== '/password') window.location.assign('/password')
}

/** Lets the router take over the redirect to /login (keeps the SPA state). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler
}

/** Called when the server refuses a request until the password is changed. */
export function setPasswordChangeHandler(handler: () => void): void {
  onPasswordChangeRequired = handler
}

async function readError(response: Response): Promise<ApiErrorBody | null> {
  try {
    const body = (await response.clone().json()) as Partial<ApiErrorBody>
    if (body && typeof body.message === 'string') return body as ApiErrorBody
  } catch {
    /* not JSON: a proxy or server crash page */
  }
  return null
}

const errorMiddleware: Middleware = {
  async onResponse({ request, response }) {
    if (response.ok) return undefined
    const path = new URL(request.url, window.location.origin).pathname
    const quiet = QUIET_PATHS.includes(path)
    const body = await readError(response)
    if (response.status === 401 && !quiet) {
      onUnauthenticated()
      return undefined
    }
    if (response.status === 403 && FORCED_CHANGE.includes(body?.code ?? '')) {
      onPasswordChangeRequired()
      return undefined
    }
    // Plausibility warnings (422 on override_reason alone) are a question the form asks, not a failure.
    const onlyOverride = response.status === 422 && Object.keys(body?.errors ?? {}).join() === 'override_reason'
    if (!quiet && !onlyOverride) {
      const message = body?.message ?? `请求失败（${response.status}）`
      ElMessage({ type: 'error', message, grouping: true, duration: 5000 })
    }
    return undefined
  },
  async onError() {
    ElMessage({ type: 'error', message: '无法连接服务器，请检查网络', grouping: true })
    return undefined
  },
}

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: 'include',
})
api.use(errorMiddleware)

/** Field errors of a 422 response, flattened to one message per field for el-form. */
export function fieldErrors(error: unknown): Record<string, string> {
  const errors = (error as Partial<ApiErrorBody> | undefined)?.errors
  if (!errors) return {}
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, (v ?? []).join('；')]))
}
