import type { Metadata } from 'next';
import { CreateOrganisationForm } from '@/components/account/CreateOrganisationForm';

export const metadata: Metadata = { title: 'New organisation' };

export default function NewOrganisationPage() {
  return <CreateOrganisationForm />;
}
