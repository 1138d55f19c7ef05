/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Server-only packages stay outside the bundle: the custom server (server/main.ts)
  // owns the single database/collab instance and route handlers reach it through globalThis.
  serverExternalPackages: ['@electric-sql/pglite', 'pg', 'ioredis', 'neo4j-driver', 'pino', 'ws'],
};
export default nextConfig;
