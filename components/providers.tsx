'use client';

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ApiError } from './api';
import { PersonaViewProvider } from './persona/PersonaPreview';
import { ServerLivenessProvider } from './serverLiveness';

/** Pages anyone may open signed out; everywhere else a 401 sends the person to sign in. */
export function isPublicPath(pathname: string): boolean {
  return pathname === '/signin' || pathname === '/signup' || pathname.startsWith('/invite/');
}

function redirectToSignIn(error: unknown): void {
  if (!(error instanceof ApiError) || error.status !== 401) return;
  const { pathname, search, hash } = window.location;
  if (isPublicPath(pathname)) return;
  window.location.replace(`/signin?next=${encodeURIComponent(pathname + search + hash)}`);
}

function makeQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: redirectToSignIn }),
    mutationCache: new MutationCache({ onError: redirectToSignIn }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // Retry only what a retry can fix: network blips and server errors, never a 4xx.
        retry: (failureCount, error) =>
          failureCount < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
      },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <ServerLivenessProvider>
        <PersonaViewProvider>{children}</PersonaViewProvider>
      </ServerLivenessProvider>
    </QueryClientProvider>
  );
}
