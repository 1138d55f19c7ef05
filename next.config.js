/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // The server prints http://127.0.0.1:3000; Next's dev server otherwise treats that host as
  // cross-origin and refuses its own dev resources (HMR, chunks), so the page never hydrates.
  allowedDevOrigins: ['127.0.0.1', 'localhost'],
  // Server-only packages stay outside the bundle: the custom server (server/main.ts)
  // owns the single database/collab instance and route handlers reach it through globalThis.
  serverExternalPackages: ['@electric-sql/pglite', 'pg', 'ioredis', 'neo4j-driver', 'pino', 'ws'],
};
export default nextConfig;
