import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// Four apps, one build: / workbench, /screen/ big screen, /m/ grid terminal, /portal/ citizen portal.
// `fengqiao serve --web web/dist` serves dist/ with directory index and SPA fallback.
export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        workbench: resolve(import.meta.dirname, 'index.html'),
        screen: resolve(import.meta.dirname, 'screen/index.html'),
        m: resolve(import.meta.dirname, 'm/index.html'),
        portal: resolve(import.meta.dirname, 'portal/index.html'),
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
