import { describe, expect, it } from 'vitest'
import { progressText } from './upload'

describe('progressText', () => {
  it('names the phase and the elapsed time', () => {
    const startedAt = 1_000_000
    expect(progressText({ phase: 'uploading', percent: 42, startedAt }, startedAt + 500)).toBe('正在上传文件… 42%')
    expect(progressText({ phase: 'processing', percent: null, startedAt }, startedAt + 7_900)).toContain('已用 7 秒')
    expect(progressText({ phase: 'downloading', percent: 99, startedAt }, startedAt)).toBe('正在下载… 99%')
    expect(progressText({ phase: 'done', percent: 100, startedAt }, startedAt + 3_000)).toBe('完成，用时 3 秒')
    expect(progressText({ phase: 'idle', percent: null, startedAt: 0 })).toBe('')
  })
})
