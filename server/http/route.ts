/** Helpers that keep app/api route handlers thin: parse input, call one thing, render output or error. */
import type { z } from 'zod';
import { BadRequestError, HttpError, validationError } from './errors';
import { log } from '../log';

const MAX_BODY_BYTES = 1024 * 1024;

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

export function route<Args extends unknown[]>(handler: (...args: Args) => Promise<Response>) {
  return async (...args: Args): Promise<Response> => {
    try {
      return await handler(...args);
    } catch (error) {
      if (error instanceof HttpError) {
        return json({ error: { code: error.code, message: error.message, details: error.details } }, error.status);
      }
      // By name: route bundles and the server each load their own copy of server/graph/types.ts.
      if (error instanceof Error && error.name === 'GraphTimeoutError') {
        return json({ error: { code: 'graph_timeout', message: `The graph query was cut off before it finished. ${error.message}` } }, 503);
      }
      log.error({ err: error }, 'unhandled error in API route');
      return json({ error: { code: 'internal', message: 'Something went wrong on our side. Try again.' } }, 500);
    }
  };
}

/** Reads and validates a JSON body: 400 for malformed or invalid JSON, 413 for oversized. */
export async function parseBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new HttpError(413, 'too_large', 'The request body is larger than 1 MB.');
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
