import { z } from 'zod';

export const CreateDocumentBody = z.strictObject({
  title: z.string().trim().max(500, 'a title has at most 500 characters').optional(),
});

export const DocumentId = z.uuid();
