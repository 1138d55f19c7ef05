import { z } from 'zod';
import { clientText } from '@/server/http/text';

export const CreateDocumentBody = z.strictObject({
  title: clientText().trim().max(500, 'a title has at most 500 characters').optional(),
  domainId: z.uuid('domainId must be a domain id').nullable().optional(),
});

export const UpdateDocumentBody = z.strictObject({
  domainId: z.uuid('domainId must be a domain id').nullable(),
});


export const ManualAtomBody = z
  .strictObject({
    blockId: z.uuid('blockId must be a block id'),
    start: z.number().int().min(0),
    end: z.number().int().min(1),
    quote: clientText().min(1, 'select some text first').max(2000, 'a manual atom covers at most 2,000 characters'),
    type: z.enum(['TextAtom', 'NumberAtom', 'BooleanAtom', 'DateAtom', 'JSONAtom']),
    name: clientText().trim().min(1, 'give the atom a name').max(255, 'a name has at most 255 characters'),
  })
  .refine((body) => body.end > body.start && body.end - body.start === body.quote.length, {
    message: 'end - start must equal the length of quote',
    path: ['end'],
  });
