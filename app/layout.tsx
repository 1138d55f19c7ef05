import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { AppHeader } from '@/components/AppHeader';
import { Providers } from '@/components/providers';
import { AppShell } from '@/components/shell/AppShell';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Knowledge OS', template: '%s · Knowledge OS' },
  description: 'Write together; every block becomes knowledge.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <AppHeader />
          <AppShell>{children}</AppShell>
        </Providers>
      </body>
    </html>
  );
}
