'use client';

import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { ApiError, errorMessage, useMe } from '../api';
import { CreateOrganisationForm } from '../account/CreateOrganisationForm';
import { isPublicPath } from '../providers';
import { Sidebar } from './Sidebar';

/**
 * Everything below the header: public pages (sign-in, sign-up, invites) as they are; for a
 * signed-in account the sidebar and the page, or "create your first organisation" when it has none.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const me = useMe();
  if (isPublicPath(pathname)) return <>{children}</>;

  if (me.isError && !(me.error instanceof ApiError && me.error.status === 401)) {
    return (
      <main className="page">
        <div className="notice notice-error" role="alert" data-testid="me-error">
          <p>Could not load your account: {errorMessage(me.error)}</p>
          <button type="button" className="button" onClick={() => void me.refetch()}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  // Signed out: providers.tsx is already on its way to /signin.
  if (me.isError) return null;
  if (me.isPending) return <div className="app-loading" aria-busy="true" aria-label="Loading your account" />;
  if (me.data && !me.data.tenant && pathname !== '/organisations/new') return <CreateOrganisationForm first />;

  return (
    <div className="app-body">
      <Sidebar />
      <div className="app-main">{children}</div>
    </div>
  );
}
