/** Helpers that keep app/api route handlers thin: parse input, call one thing, render output or error. */
import type { z } from 'zod';
import { BadRequestError, HttpError, validationError } from './errors';
import { log } from '../log';

const MAX_BODY_BYTES = 1024 * 1024;

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CSRF: a state-changing request must come from a page of this site. Browsers send Origin on
 * every such request; a foreign or missing Origin is refused before anything runs.
 */
export function checkOrigin(request: Request): void {
  if (!UNSAFE_METHODS.has(request.method)) return;
  const origin = request.headers.get('origin');
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? new URL(request.url).host;
  let originHost: string | null = null;
  try {
    originHost = origin ? new URL(origin).host : null;
  } catch {
    originHost = null;
  }
  if (!originHost || originHost !== host) {
    throw new HttpError(403, 'cross_site', 'This request did not come from a Knowledge OS page (its Origin header is missing or foreign).');
  }
}

export function route<Args extends unknown[]>(handler: (...args: Args) => Promise<Response>) {
  return async (...args: Args): Promise<Response> => {
    try {
      if (args[0] instanceof Request) checkOrigin(args[0]);
      return await handler(...args);
    } catch (error) {
      if (error instanceof HttpError) {
        return json({ error: { code: error.code, message: error.message, details: error.details } }, error.status);
      }
      // By name, like GraphTimeoutError below.
      if (error instanceof Error && error.name === 'RateLimitedError') {
        const seconds = (error as Error & { retryAfterSeconds: number }).retryAfterSeconds;
        return Response.json(
          { error: { code: 'rate_limited', message: error.message } },
          { status: 429, headers: { 'retry-after': String(seconds) } },
        );
      }
      // Row-level security refused a write (a persona that may only read).
      if ((error as { code?: string }).code === '42501') {
        return json({ error: { code: 'forbidden', message: 'Your role in this organisation cannot change this.' } }, 403);
      }
      // By name: route bundles and the server each load their own copy of server/graph/types.ts.
      if (error instanceof Error && error.name === 'GraphTimeoutError') {
        return json({ error: { code: 'graph_timeout', message: `The graph query was cut off before it finished. ${error.message}` } }, 503);
      }
      // PGlite's wait limit (server/db/admission.ts), by name for the same reason.
      if (error instanceof Error && error.name === 'DatabaseBusyError') {
        return Response.json({ error: { code: 'database_busy', message: error.message } }, { status: 503, headers: { 'retry-after': '2' } });
      }
      log.error({ err: error }, 'unhandled error in API route');
      return json({ error: { code: 'internal', message: 'Something went wrong on our side. Try again.' } }, 500);
    }
  };
}

const tooLarge = () => new HttpError(413, 'too_large', 'The request body is larger than 1 MB.');

/** The body as text, read no further than 1 MB: a larger (or endless) body is refused, not buffered. */
async function readBodyText(request: Request): Promise<string> {
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** Reads and validates a JSON body: 400 for malformed or invalid JSON, 413 for oversized. */
export async function parseBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  const text = await readBodyText(request);
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw BadRequestError('The request body is not valid JSON.');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/** Validates a URL's query string (each key once, as a string): 400 when it does not match. */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.infer<S> {
  const parsed = schema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

export function parseParam<S extends z.ZodType>(value: unknown, schema: S, notFound: () => HttpError): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw notFound();
  return parsed.data;
}
