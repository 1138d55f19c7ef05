import { z } from 'zod';
import { clientText } from '@/server/http/text';
import { PERSONAS } from '@/server/db/tenant';

export const CreateOrganisationBody = z.strictObject({ name: clientText().trim().min(1, 'name the organisation').max(255) });
export const SwitchOrganisationBody = z.strictObject({ tenantId: z.uuid('tenantId must be an organisation id') });
export const InviteBody = z.strictObject({ persona: z.enum(PERSONAS), isAdmin: z.boolean().optional() });
export const UpdateMemberBody = z.strictObject({ persona: z.enum(PERSONAS).optional(), isAdmin: z.boolean().optional() });
