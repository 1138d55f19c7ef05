import pino from 'pino';

/** The one logger: JSON lines; child loggers carry documentId / requestId. */
export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  base: { service: 'knowledge-os' },
});
export type Logger = typeof log;
