/**
 * The rule extractor in a worker thread, so a 1 MB block never stalls the collaboration
 * server's event loop. A block that takes longer than `timeoutMs` kills the worker (a fresh one
 * starts on the next call) and fails the job with a clear error; the queue retries it, then
 * marks it failed.
 */
import { Worker } from 'node:worker_threads';
import type { Extraction, Extractor } from './types';

export interface ThreadedExtractor extends Extractor {
  close(): Promise<void>;
}

const WARM_UP_TEXTS = [
  'In Quebec, the withholding rate is 10% for amounts over $5,000, effective January 1, 2026.',
  'Members must renew at least 30 days before expiry; the late fee is 5% unless auto-renewal is enabled.',
];

export function threadedRuleExtractor({ timeoutMs = 20_000 } = {}): ThreadedExtractor {
  let worker: Worker | null = null;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (value: Extraction) => void; reject: (error: Error) => void }>();

  const failAll = (error: Error) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  const start = (): Worker => {
    const w = new Worker(new URL('./worker.mjs', import.meta.url));
    w.unref();
    w.on('message', (message: { id: number; result?: Extraction; error?: string }) => {
      const waiter = waiting.get(message.id);
      if (!waiter) return;
      waiting.delete(message.id);
      if (message.result) waiter.resolve(message.result);
      else waiter.reject(new Error(message.error ?? 'the extraction worker sent no result'));
    });
    w.on('error', (error) => failAll(error));
    w.on('exit', () => {
      if (worker === w) worker = null;
      failAll(new Error('the extraction worker stopped'));
    });
    return w;
  };

  return {
    name: 'rules',
    extract(block, context) {
      worker ??= start();
      const current = worker;
      const id = nextId++;
      return new Promise<Extraction>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`extraction of block ${block.id} (${block.text.length} characters) took longer than ${timeoutMs / 1000} s`));
          if (worker === current) worker = null;
          void current.terminate();
        }, timeoutMs);
        waiting.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        current.postMessage({ id, block, context });
      });
    },
    // Starting the thread and compiling the rules took 0.4 s, then 0.1 s more for the second
    // block (JIT): the first edit after a start waited for it, and it ran while people typed.
    async warmUp() {
      for (const text of WARM_UP_TEXTS) await this.extract({ id: 'warm-up', blockType: 'paragraph', text }, { documentTitle: 'Warm-up' });
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
