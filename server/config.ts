/** Every environment variable the server reads, with its default. The README's table mirrors this. */
import { z } from 'zod';
import { parseTrustProxy } from './http/clientAddress';

const validTrustProxy = (value: string | undefined) => {
  try {
    parseTrustProxy(value);
    return true;
  } catch {
    return false;
  }
};

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
  /** The blocks projection runs after this much quiet, and at most this long after an edit. */
  PROJECTION_DEBOUNCE_MS: z.coerce.number().int().min(0).default(150),
  PROJECTION_MAX_WAIT_MS: z.coerce.number().int().min(0).default(500),
  LOG_LEVEL: z.string().default('info'),
  /** OpenAI-compatible endpoint (…/v1/chat/completions); unset = rule-based extraction only. */
  EXTRACTOR_LLM_URL: z.string().url().optional(),
  EXTRACTOR_LLM_MODEL: z.string().default('gpt-4o-mini'),
  EXTRACTOR_LLM_API_KEY: z.string().optional(),
  /** 0 turns the extraction worker off in this process (jobs still queue for another). */
  EXTRACTION_WORKER: z.enum(['0', '1']).default('1'),
  /** How long an extraction job's claim holds unrenewed: how soon a killed worker's job is taken over. */
  EXTRACTION_LEASE_SECONDS: z.coerce.number().int().min(1).default(30),
  /** "Continue as local user" on the sign-in page; default: on without DATABASE_URL, off with it. */
  LOCAL_LOGIN: z.enum(['0', '1']).optional(),
  /** Which proxies' X-Forwarded-For is believed for the client address (default: none). */
  TRUST_PROXY: z
    .string()
    .optional()
    .refine(validTrustProxy, 'TRUST_PROXY takes a number of hops, or addresses, subnets, loopback, linklocal or uniquelocal separated by commas'),
  /** Adds Secure to the session cookie (serve over HTTPS). */
  COOKIE_SECURE: z.enum(['0', '1']).default('0'),
  /** Rate limits (0 = off): API requests per minute per user and per organisation, sign-in and
   *  sign-up attempts per minute per client address, websocket messages per second. */
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(0).default(1200),
  RATE_LIMIT_TENANT_PER_MINUTE: z.coerce.number().int().min(0).default(12000),
  RATE_LIMIT_AUTH_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  RATE_LIMIT_WS_USER_PER_SECOND: z.coerce.number().int().min(0).default(200),
  RATE_LIMIT_WS_TENANT_PER_SECOND: z.coerce.number().int().min(0).default(2000),
});

export type Config = z.infer<typeof schema>;

export const localLoginEnabled = (config: Config) => (config.LOCAL_LOGIN ? config.LOCAL_LOGIN === '1' : !config.DATABASE_URL);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, so `DATABASE_URL= npm run dev` means the embedded default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  return schema.parse(cleaned);
}
