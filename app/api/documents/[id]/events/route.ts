import { services } from '@/server/services';
import { route } from '@/server/http/route';
import { requireDocument, type DocumentContext } from '@/server/http/document';
import type { KnowledgeChangedEvent } from '@/lib/knowledge/dto';

export const dynamic = 'force-dynamic';

const KEEPALIVE_MS = 25_000;

/** Server-sent events: `knowledge` whenever the document's knowledge or extraction status changes. */
export const GET = route(async (request: Request, context: DocumentContext) => {
  const { tenantId, document } = await requireDocument(request, context);
  const id = document.id;
  const { bus } = services();
  const encoder = new TextEncoder();
  let cleanup = () => {};
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
      };
      request.signal.addEventListener('abort', () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive' },
  });
});
