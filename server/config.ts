/** Every environment variable the server reads, with its default. The README's table mirrors this. */
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().optional(),
  DATA_DIR: z.string().default('./data'),
  REDIS_URL: z.string().optional(),
  NEO4J_URI: z.string().optional(),
  NEO4J_USER: z.string().default('neo4j'),
  NEO4J_PASSWORD: z.string().default('neo4j'),
  COLLAB_MAX_MESSAGE_BYTES: z.coerce.number().int().positive().default(8 * 1024 * 1024),
  COMPACT_AFTER_UPDATES: z.coerce.number().int().positive().default(200),
  LOG_LEVEL: z.string().default('info'),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, so `DATABASE_URL= npm run dev` means the embedded default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  return schema.parse(cleaned);
}
