// The state every server-paged table keeps: the rows of one page, the total, the page and its
// size, and a loading flag. The page supplies the request; the list decides which page to ask for.
import { reactive, ref, type Ref } from 'vue'

/** What a paged endpoint answers (the generated types carry more, e.g. page and page_size). */
export interface PageOf<T> {
  items: T[]
  total: number
}

export interface Paging {
  page: number
  page_size: number
}

export interface PageState {
  page: number
  size: number
  total: number
}

/**
 * Asks for one page. Resolves with the answer, or undefined when the request failed (the API
 * client has already shown the server's message), or null when it asked nothing because the
 * page's filters cannot be read: the table then stays as it is.
 */
export type FetchPage<T> = (paging: Paging) => Promise<PageOf<T> | undefined | null>

export const PAGE_SIZES = [20, 50, 100]

export interface PagedList<T> {
  rows: Ref<T[]>
  loading: Ref<boolean>
  page: PageState
  /** Loads the current page again. */
  load: () => Promise<void>
  /** Loads from page 1: the filters or the sort changed. */
  search: () => Promise<void>
  /** Loads page `n`. */
  goTo: (n: number) => Promise<void>
  /** Loads page 1 of `size` rows. */
  resize: (size: number) => Promise<void>
}

export function usePagedList<T>(fetchPage: FetchPage<T>, pageSize = PAGE_SIZES[0]): PagedList<T> {
  const rows = ref<T[]>([]) as Ref<T[]>
  const loading = ref(false)
  const page = reactive<PageState>({ page: 1, size: pageSize, total: 0 })
  // Only the latest request may fill the table: an earlier one answering late (a slow page 1
  // after the user already moved to page 2) is dropped.
  let latest = 0

  async function load() {
    const ticket = ++latest
    loading.value = true
    try {
      const data = await fetchPage({ page: page.page, page_size: page.size })
      if (ticket !== latest || data === null) return
      rows.value = data?.items ?? []
      page.total = data?.total ?? 0
    } finally {
      if (ticket === latest) loading.value = false
    }
  }

  function search() {
    page.page = 1
    return load()
  }

  function goTo(n: number) {
    page.page = n
    return load()
  }

  function resize(size: number) {
    page.size = size
    return search()
  }

  return { rows, loading, page, load, search, goTo, resize }
}
