import type { Metadata } from 'next';
import { SignUpForm } from '@/components/account/AuthForms';

export const metadata: Metadata = { title: 'Create your account' };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  return <SignUpForm next={typeof next === 'string' ? next : undefined} />;
}
