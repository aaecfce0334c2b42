import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import Components from 'unplugin-vue-components/vite'
import { defineConfig } from 'vitest/config'

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
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  // `luodi serve` listens on 8080 by default; LUODI_API points elsewhere.
  server: {
    proxy: { '/api': process.env.LUODI_API ?? 'http://127.0.0.1:8080' },
  },
  preview: {
    proxy: { '/api': process.env.LUODI_API ?? 'http://127.0.0.1:8080' },
  },
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
