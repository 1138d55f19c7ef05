/**
 * The extractor this process uses: rule-based (in a worker thread) by default, an LLM when
 * EXTRACTOR_LLM_URL is set (it falls back to the rules on error).
 */
import type { Config } from '../config';
import { llmExtractor } from './llmExtractor';
import { threadedRuleExtractor } from './threaded';
import type { Extractor } from './types';

export function chooseExtractor(config: Pick<Config, 'EXTRACTOR_LLM_URL' | 'EXTRACTOR_LLM_MODEL' | 'EXTRACTOR_LLM_API_KEY'>): Extractor {
  if (!config.EXTRACTOR_LLM_URL) return threadedRuleExtractor();
  return llmExtractor(config.EXTRACTOR_LLM_URL, config.EXTRACTOR_LLM_MODEL, config.EXTRACTOR_LLM_API_KEY);
}
