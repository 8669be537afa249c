// The web app's build: React, served by the engine at /workflows (libs/http/src/web).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/workflows/',
  plugins: [react()],
  // always the production bundle: web-bundle.ts builds with NODE_ENV=production whatever the process's
  mode: 'production',
  build: {
    outDir: 'dist',
    // the diagram library is loaded on the pages that draw diagrams only
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
});
