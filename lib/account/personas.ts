/**
 * The three personas of a membership and how the UI names them. The server keeps its own list
 * (server/db/tenant.ts) and enforces access; this is only for showing and choosing.
 */
export const PERSONAS = ['domain_expert', 'developer', 'product_owner'] as const;
export type Persona = (typeof PERSONAS)[number];

export const PERSONA_LABELS: Record<Persona, string> = {
  domain_expert: 'Domain expert',
  developer: 'Developer',
  product_owner: 'Product owner',
};

/** Lower-case, for sentences such as "read only (developer)". */
export const PERSONA_NOUNS: Record<Persona, string> = {
  domain_expert: 'domain expert',
  developer: 'developer',
  product_owner: 'product owner',
};

export const PERSONA_VIEWS: Record<Persona, string> = {
  domain_expert: 'Edits documents and confirms or rejects the atoms found in them.',
  developer: 'Reads documents; sees impact and dependency graphs of the rules.',
  product_owner: 'Reads documents by domain, their rules in plain words, and open conflicts.',
};

export function isPersona(value: unknown): value is Persona {
  return typeof value === 'string' && (PERSONAS as readonly string[]).includes(value);
}
