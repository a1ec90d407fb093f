import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Served by the tRPC service at /dashboard; no inline scripts (the host sends a strict CSP).
export default defineConfig({
  base: "/dashboard/",
  plugins: [react()],
  logLevel: "warn",
  build: { outDir: "dist", emptyOutDir: true, modulePreload: { polyfill: false }, assetsInlineLimit: 0 },
});
