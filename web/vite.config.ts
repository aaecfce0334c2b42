import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, URL } from 'node:url'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import Components from 'unplugin-vue-components/vite'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

/**
 * Writes `x.br` and `x.gz` beside every text file of the build, compressed once at the best
 * levels, so that the server sends them as they are (`crates/server/src/web.rs`) instead of
 * compressing the same bytes on every request. Small files and those that do not shrink are
 * left alone.
 */
function precompress(): Plugin {
  const brotli = promisify(brotliCompress)
  const gz = promisify(gzip)
  return {
    name: 'luodi-precompress',
    apply: 'build',
    async writeBundle({ dir }, bundle) {
      const files = Object.keys(bundle).filter((name) => /\.(js|css|html|svg|json)$/.test(name))
      await Promise.all(
        files.map(async (name) => {
          const path = join(dir ?? 'dist', name)
          const plain = await readFile(path)
          if (plain.length < 1024) return
          const params = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: plain.length }
          const variants: [string, Buffer][] = [
            ['.br', await brotli(plain, { params })],
            ['.gz', await gz(plain, { level: 9 })],
          ]
          for (const [suffix, packed] of variants) {
            if (packed.length < plain.length * 0.9) await writeFile(path + suffix, packed)
          }
        }),
      )
    },
  }
}

/**
 * /api goes to `luodi serve` (8080 by default; LUODI_API points elsewhere). The Host header is
 * passed on as the browser sent it, as the README asks of a reverse proxy: the server refuses a
 * cookie-authenticated write whose Origin does not name its Host, and Vite's string shorthand
 * would rewrite Host to the API's own port (`changeOrigin: true`), so every POST failed 403.
 */
const apiProxy = { target: process.env.LUODI_API ?? 'http://127.0.0.1:8080', changeOrigin: false }

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    // Element Plus components and their CSS are pulled in per use, so each route chunk
    // carries only what it renders.
    AutoImport({
      resolvers: [ElementPlusResolver()],
      dts: 'src/auto-imports.d.ts',
    }),
    // Our own components are imported where they are used (areas/, kit/), never registered
    // globally: `dirs` is empty so that moving a file cannot silently drop one.
    Components({
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
      dts: 'src/components.d.ts',
    }),
    precompress(),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: { proxy: { '/api': apiProxy } },
  preview: { proxy: { '/api': apiProxy } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
