import type { Metadata } from 'next';
import { AccountSettings } from '@/components/account/AccountSettings';

export const metadata: Metadata = { title: 'Your account' };

export default function AccountSettingsPage() {
  return <AccountSettings />;
}
