import { services } from '@/server/services';
import { route } from '@/server/http/route';
import { requireDocument, type DocumentContext } from '@/server/http/document';
import { readCookie, SESSION_COOKIE } from '@/server/http/cookies';
import { eventStreams } from '@/server/http/eventStreams';
import type { KnowledgeChangedEvent } from '@/lib/knowledge/dto';

export const dynamic = 'force-dynamic';

const KEEPALIVE_MS = 25_000;

/**
 * Server-sent events: `knowledge` whenever the document's knowledge or extraction status changes.
 * At most 10 open per account (429 after); closed at once when the session ends or the membership
 * changes (server/http/eventStreams.ts).
 */
export const GET = route(async (request: Request, context: DocumentContext) => {
  const identity = await requireDocument(request, context);
  const { tenantId, document } = identity;
  const id = document.id;
  const { bus } = services();
  const encoder = new TextEncoder();
  let cleanup = () => {};
  let closeStream = () => {};
  // Counted before the response exists: the 429 is a JSON answer, not a stream that ends.
  const release = eventStreams().add(identity, readCookie(request.headers.get('cookie'), SESSION_COOKIE) ?? '', () => closeStream());
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (chunk: string) => {
        try {
          controller.enqueue(encoder.encode(chunk));
        } catch {
          cleanup();
        }
      };
      send('retry: 2000\n: connected\n\n');
      const unsubscribe = bus.subscribe((event) => {
        if (event.type !== 'knowledge.changed' || event.tenantId !== tenantId || event.documentId !== id) return;
        const data: KnowledgeChangedEvent = { documentId: id, status: event.status, ...(event.progress ? { progress: event.progress } : {}) };
        send(`event: knowledge\ndata: ${JSON.stringify(data)}\n\n`);
      });
      const keepalive = setInterval(() => send(': keepalive\n\n'), KEEPALIVE_MS);
      cleanup = () => {
        unsubscribe();
        clearInterval(keepalive);
        release();
      };
      closeStream = () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      request.signal.addEventListener('abort', closeStream);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive' },
  });
});
