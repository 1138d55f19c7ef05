import type { Metadata } from 'next';
import { MembersView } from '@/components/admin/MembersView';

export const metadata: Metadata = { title: 'Members' };

export default function MembersPage() {
  return <MembersView />;
}
