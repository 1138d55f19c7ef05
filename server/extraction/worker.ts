/** Runs the rule extractor off the main thread (see threaded.ts). */
import { parentPort } from 'node:worker_threads';
import { ruleExtractor } from './ruleExtractor';
import type { BlockInput, ExtractionContext } from './types';

parentPort?.on('message', async (message: { id: number; block: BlockInput; context: ExtractionContext }) => {
  try {
    const result = await ruleExtractor.extract(message.block, message.context);
    parentPort?.postMessage({ id: message.id, result });
  } catch (error) {
    parentPort?.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
