/**
 * The IPC messages between the bench (parent) and a collaboration server under test (child).
 *
 *   child  -> parent  { type: 'ready', server, database, wsBase }        once, after listening
 *   parent -> child   { id, command }                                     a request
 *   child  -> parent  { type: 'reply', id, ok, result | error }           its answer
 *
 * Commands: create-documents, clock, mark (CPU and loop delay since the last mark), report (updates
 * applied since the last report), pending, memory (after a full GC), settle, shutdown.
 * Times are `wallNow()` of the child; the parent converts them with the measured clock offset.
 */
import { z } from 'zod';

export const ServerKind = z.enum(['knowledge-os', 'reference']);
export type ServerKind = z.infer<typeof ServerKind>;

export const ReadyMessage = z.object({
  type: z.literal('ready'),
  server: ServerKind,
  database: z.enum(['postgres', 'pglite', 'none']),
  /** How ours is deployed: 'collab + worker' (production) or 'one process' (the embedded default). */
  processes: z.string().optional(),
  wsBase: z.string(),
});
export type ReadyMessage = z.infer<typeof ReadyMessage>;

export const Command = z.discriminatedUnion('command', [
  z.object({ command: z.literal('create-documents'), count: z.number().int().positive() }),
  z.object({ command: z.literal('clock') }),
  z.object({ command: z.literal('mark') }),
  z.object({ command: z.literal('report') }),
  z.object({ command: z.literal('pending') }),
  z.object({ command: z.literal('memory') }),
  z.object({ command: z.literal('settle') }),
  z.object({ command: z.literal('shutdown') }),
]);
export type Command = z.infer<typeof Command>;

export const Request = z.object({ id: z.number().int(), command: Command });
export type Request = z.infer<typeof Request>;

export const Reply = z.object({
  type: z.literal('reply'),
  id: z.number().int(),
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: z.string().optional(),
});
export type Reply = z.infer<typeof Reply>;

/**
 * One client's run of items inside one update the server applied: [client, fromClock, toClock,
 * appliedAt, durableAt | -1, blocksAt | -1]. Arrays rather than objects keep the report small.
 */
export const AppliedTuple = z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]);
export type AppliedTuple = z.infer<typeof AppliedTuple>;

export const DocumentsResult = z.object({ documentIds: z.array(z.string()) });
export const ClockResult = z.object({ wall: z.number() });
export const PendingResult = z.object({ undurable: z.number(), unprojected: z.number() });
export const MemoryResult = z.object({ rssBytes: z.number(), heapUsedBytes: z.number(), externalBytes: z.number() });
/** What the server did since the previous `mark`. */
export const MarkResult = z.object({ cpuMs: z.number(), elapsedMs: z.number(), loopDelayP99Ms: z.number() });
/** Every update applied since the previous `report`, and the update log's running totals. */
export const ReportResult = z.object({
  applied: z.array(AppliedTuple),
  logBatches: z.number(),
  logUpdates: z.number(),
});
export type ReportResult = z.infer<typeof ReportResult>;
export const EmptyResult = z.object({});
