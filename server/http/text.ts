/**
 * Text fields of REST requests, normalised before any other check: a NUL or a lone surrogate
 * (which PostgreSQL's `text` or `jsonb` refuse, failing the request with a 500) becomes U+FFFD,
 * the same rule as the blocks projection (lib/util/storableText.ts).
 */
import { z } from 'zod';
import { storableText } from '@/lib/util/storableText';

export const clientText = () => z.string().overwrite(storableText);
