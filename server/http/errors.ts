/**
 * Errors a client can meet: a stable machine-readable code, an HTTP status and a sentence a
 * person understands. Handlers throw them; `route()` renders them as `{ error: { code, message } }`.
 */
import type { ZodError } from 'zod';

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

export const NotFoundError = (message = 'Not found.') => new HttpError(404, 'not_found', message);
export const BadRequestError = (message: string, details?: unknown) => new HttpError(400, 'bad_request', message, details);
export const UnavailableError = (message: string) => new HttpError(503, 'unavailable', message);

export function validationError(error: ZodError): HttpError {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return BadRequestError(`Invalid request. ${where}${issue?.message ?? 'the body does not match the schema'}`, error.issues);
}
