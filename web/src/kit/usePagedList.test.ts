import { describe, expect, it } from 'vitest'
import { type PageOf, type Paging, usePagedList } from './usePagedList'

/** A fetcher whose answers the test hands out, one request at a time. */
function server() {
  const asked: Paging[] = []
  const pending: ((answer: PageOf<string> | undefined | null) => void)[] = []
  const fetchPage = (paging: Paging) => {
    asked.push({ ...paging })
    return new Promise<PageOf<string> | undefined | null>((resolve) => pending.push(resolve))
  }
  const answer = (i: number, value: PageOf<string> | undefined | null) => pending[i](value)
  return { asked, fetchPage, answer }
}

describe('usePagedList', () => {
  it('asks for the current page and size and shows the answer', async () => {
    const s = server()
    const list = usePagedList(s.fetchPage)
    const loaded = list.load()
    expect(s.asked).toEqual([{ page: 1, page_size: 20 }])
    expect(list.loading.value).toBe(true)
    s.answer(0, { items: ['a', 'b'], total: 42 })
    await loaded
    expect(list.loading.value).toBe(false)
    expect(list.rows.value).toEqual(['a', 'b'])
    expect(list.page.total).toBe(42)
  })

  it('goes to a page, and back to page 1 when the filters or the page size change', async () => {
    const s = server()
    const list = usePagedList(s.fetchPage, 50)
    void list.goTo(3)
    expect(list.page.page).toBe(3)
    void list.search()
    expect(list.page.page).toBe(1)
    void list.goTo(2)
    void list.resize(100)
    expect(list.page).toMatchObject({ page: 1, size: 100 })
    expect(s.asked).toEqual([
      { page: 3, page_size: 50 },
      { page: 1, page_size: 50 },
      { page: 2, page_size: 50 },
      { page: 1, page_size: 100 },
    ])
  })

  it('empties the table when the request failed', async () => {
    const s = server()
    const list = usePagedList(s.fetchPage)
    const first = list.load()
    s.answer(0, { items: ['a'], total: 1 })
    await first
    const second = list.load()
    s.answer(1, undefined)
    await second
    expect(list.rows.value).toEqual([])
    expect(list.page.total).toBe(0)
    expect(list.loading.value).toBe(false)
  })

  it('keeps the table as it is when nothing was asked', async () => {
    const s = server()
    const list = usePagedList(s.fetchPage)
    const first = list.load()
    s.answer(0, { items: ['a'], total: 1 })
    await first
    const second = list.load()
    s.answer(1, null)
    await second
    expect(list.rows.value).toEqual(['a'])
    expect(list.page.total).toBe(1)
    expect(list.loading.value).toBe(false)
  })

  it('drops an answer that comes after a newer request was sent', async () => {
    const s = server()
    const list = usePagedList(s.fetchPage)
    const slow = list.goTo(1)
    const fast = list.goTo(2)
    s.answer(1, { items: ['page 2'], total: 40 })
    await fast
    s.answer(0, { items: ['page 1'], total: 40 })
    await slow
    expect(list.rows.value).toEqual(['page 2'])
    expect(list.loading.value).toBe(false)
  })

  it('stops loading when the request throws', async () => {
    const list = usePagedList<string>(() => Promise.reject(new Error('offline')))
    await expect(list.load()).rejects.toThrow('offline')
    expect(list.loading.value).toBe(false)
  })

  it('stays loading while a newer request is still out', async () => {
    const s = server()
    const list = usePagedList(s.fetchPage)
    const older = list.load()
    void list.load()
    s.answer(0, { items: ['old'], total: 1 })
    await older
    expect(list.loading.value).toBe(true)
    expect(list.rows.value).toEqual([])
  })
})
