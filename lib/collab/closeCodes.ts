/**
 * Websocket close codes of the collaboration server, shared with the client so it can
 * tell the user why a connection ended. 4000–4999 is the range RFC 6455 leaves to applications.
 */
export const CloseCode = {
  MalformedMessage: 4400,
  Unauthorized: 4401,
  Forbidden: 4403,
  DocumentNotFound: 4404,
  /** In 4500–4599, "try again later": y-websocket's default client gives up on 4400–4499. */
  RateLimited: 4529,
  ServerError: 4500,
  ShuttingDown: 4503,
  /** ws closes with 1009 itself when a frame exceeds maxPayload. */
  MessageTooBig: 1009,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

export const CLOSE_REASONS: Record<number, string> = {
  [CloseCode.MalformedMessage]: 'The server could not read a message from this client.',
  [CloseCode.Unauthorized]: 'Sign in again to keep editing.',
  [CloseCode.Forbidden]: 'You can read this document but not edit it.',
  [CloseCode.DocumentNotFound]: 'This document does not exist or was deleted.',
  [CloseCode.RateLimited]: 'Too many changes too fast; reconnecting shortly.',
  [CloseCode.ServerError]: 'The collaboration server hit an error.',
  [CloseCode.ShuttingDown]: 'The server is restarting; reconnecting.',
  [CloseCode.MessageTooBig]: 'A change was too large to send.',
};

/** Codes after which reconnecting cannot help. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.Unauthorized,
  CloseCode.Forbidden,
  CloseCode.DocumentNotFound,
]);

/** Path prefix of the collaboration websocket: `${COLLAB_PATH}/${documentId}`. */
export const COLLAB_PATH = '/collab';
