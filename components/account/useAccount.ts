/**
 * The account API for the browser: sign-in and sign-up, organisations, members, invites and the
 * audit log. Signing in, out or into another organisation reloads the page (see `goTo`), so no
 * query, websocket or editor of the previous identity survives the change.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import type { Persona } from '@/lib/account/personas';
import { ApiError, personaSchema, queryKeys, requestJson } from '../api';

const okSchema = z.unknown();

/** A full navigation: every cache and connection of the previous identity is dropped. */
export function goTo(path: string): void {
  window.location.assign(path);
}

/** Only same-site paths are followed after signing in (no open redirect through ?next=). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/signin') || next.startsWith('/signup')) return '/';
  return next;
}

export function useAuthOptions() {
  return useQuery({
    queryKey: ['auth', 'options'],
    queryFn: () => requestJson('/api/auth/options', z.object({ localLogin: z.boolean() })),
    staleTime: Infinity,
  });
}

export function useSignIn() {
  return useMutation({
    mutationFn: (input: { email: string; password: string }) =>
      requestJson('/api/auth/signin', okSchema, { method: 'POST', body: JSON.stringify(input) }),
  });
}

/**
 * Sign-up answers alike for a new email and one that has an account (it does not say which);
 * only whether a session started tells this page whether to go on or to ask for a sign-in.
 */
export function useSignUp() {
  return useMutation({
    mutationFn: async (input: { email: string; name: string; password: string; organisation?: string }) => {
      await requestJson('/api/auth/signup', okSchema, { method: 'POST', body: JSON.stringify(input) });
      const signedIn = await requestJson('/api/me', okSchema).then(
        () => true,
        (error: unknown) => {
          if (error instanceof ApiError && error.status === 401) return false;
          throw error;
        },
      );
      return { signedIn };
    },
  });
}

export function useLocalSignIn() {
  return useMutation({
    mutationFn: () => requestJson('/api/auth/local', okSchema, { method: 'POST', body: '{}' }),
  });
}

export function useSignOut() {
  return useMutation({
    mutationFn: () => requestJson('/api/auth/signout', okSchema, { method: 'POST', body: '{}' }),
    onSuccess: () => goTo('/signin'),
  });
}

export function useCreateOrganisation() {
  return useMutation({
    mutationFn: (name: string) => requestJson('/api/organisations', okSchema, { method: 'POST', body: JSON.stringify({ name }) }),
    onSuccess: () => goTo('/'),
  });
}

export function useSwitchOrganisation() {
  return useMutation({
    mutationFn: (tenantId: string) =>
      requestJson('/api/organisations/current', okSchema, { method: 'PUT', body: JSON.stringify({ tenantId }) }),
    onSuccess: () => goTo('/'),
  });
}

const memberSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullish(),
  color: z.string(),
  persona: personaSchema,
  isAdmin: z.boolean(),
});
export type Member = z.infer<typeof memberSchema>;

const membersKey = ['members'] as const;

export function useMembers() {
  return useQuery({
    queryKey: membersKey,
    queryFn: async () => (await requestJson('/api/members', z.object({ members: z.array(memberSchema) }))).members,
  });
}

export function useUpdateMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: { id: string; persona?: Persona; isAdmin?: boolean }) => {
      const { id, ...body } = input;
      return (
        await requestJson(`/api/members/${encodeURIComponent(id)}`, z.object({ member: memberSchema }), {
          method: 'PATCH',
          body: JSON.stringify(body),
        })
      ).member;
    },
    onSuccess: (member) => {
      queryClient.setQueryData<Member[]>(membersKey, (current) => current?.map((m) => (m.id === member.id ? member : m)));
      // The admin may have changed their own persona.
      return queryClient.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
}

const inviteSchema = z.object({ url: z.string(), persona: personaSchema, expiresAt: z.string() });
export type CreatedInvite = z.infer<typeof inviteSchema>;

export function useCreateInvite() {
  return useMutation({
    mutationFn: (input: { persona: Persona; isAdmin: boolean }) =>
      requestJson('/api/invites', inviteSchema, { method: 'POST', body: JSON.stringify(input) }),
  });
}

export function useInvite(token: string) {
  return useQuery({
    queryKey: ['invites', token],
    queryFn: () =>
      requestJson(`/api/invites/${encodeURIComponent(token)}`, z.object({ organisation: z.string(), persona: personaSchema })),
    retry: false,
  });
}

export function useAcceptInvite(token: string) {
  return useMutation({
    mutationFn: () => requestJson(`/api/invites/${encodeURIComponent(token)}`, okSchema, { method: 'POST', body: '{}' }),
    onSuccess: () => goTo('/'),
  });
}

export const AUDIT_RESOURCE_TYPES = ['document', 'domain', 'atom', 'annotation', 'membership', 'invite', 'file'] as const;
export const AUDIT_ACTIONS = ['INSERT', 'UPDATE', 'DELETE', 'EDIT'] as const;

const auditEntrySchema = z.object({
  id: z.union([z.string(), z.number()]),
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  cursor: z.string(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  oldValues: z.unknown(),
  newValues: z.unknown(),
  createdAt: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export interface AuditFilters {
  userId: string;
  resourceType: string;
  action: string;
  /** yyyy-mm-dd, local day */
  since: string;
  until: string;
}

export const AUDIT_PAGE_SIZE = 50;

function auditQueryString(filters: AuditFilters, before: string | null): string {
  const params = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
  if (filters.userId) params.set('userId', filters.userId);
  if (filters.resourceType) params.set('resourceType', filters.resourceType);
  if (filters.action) params.set('action', filters.action);
  // Whole local days: from the start of `since` to the end of `until`.
  if (filters.since) params.set('since', new Date(`${filters.since}T00:00:00`).toISOString());
  if (filters.until) params.set('until', new Date(`${filters.until}T23:59:59.999`).toISOString());
  if (before) params.set('before', before);
  return params.toString();
}

export function useAudit(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: ['audit', filters],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      (await requestJson(`/api/audit?${auditQueryString(filters, pageParam)}`, z.object({ entries: z.array(auditEntrySchema) })))
        .entries,
    getNextPageParam: (lastPage) => (lastPage.length < AUDIT_PAGE_SIZE ? null : (lastPage[lastPage.length - 1]?.cursor ?? null)),
  });
}

export function useRemoveMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => requestJson(`/api/members/${encodeURIComponent(id)}`, okSchema, { method: 'DELETE' }),
    onSuccess: (_removed, id) => {
      queryClient.setQueryData<Member[]>(membersKey, (current) => current?.filter((m) => m.id !== id));
    },
  });
}

const sessionSchema = z.object({
  id: z.string(),
  userAgent: z.string().nullable(),
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  expiresAt: z.string(),
  current: z.boolean(),
});
export type SessionSummary = z.infer<typeof sessionSchema>;
const sessionsKey = ['me', 'sessions'] as const;

export function useSessions() {
  return useQuery({
    queryKey: sessionsKey,
    queryFn: async () => (await requestJson('/api/me/sessions', z.object({ sessions: z.array(sessionSchema) }))).sessions,
  });
}

/** Ends one session (`id`) or, without one, every session but this. Ending this one goes to sign-in. */
export function useEndSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (session?: SessionSummary) => {
      await requestJson(session ? `/api/me/sessions/${encodeURIComponent(session.id)}` : '/api/me/sessions', okSchema, { method: 'DELETE' });
      return session;
    },
    onSuccess: (session) => {
      if (session?.current) return goTo('/signin');
      return queryClient.invalidateQueries({ queryKey: sessionsKey });
    },
  });
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { currentPassword: string; newPassword: string }) =>
      requestJson('/api/me/password', z.object({ changed: z.literal(true), endedSessions: z.number() }), { method: 'POST', body: JSON.stringify(input) }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsKey }),
  });
}
