import { redirect } from 'next/navigation';
import { DocumentView } from '@/components/DocumentView';

export default async function DocumentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // One spelling per document: the upper-case link of a UUID opens the canonical page, so its
  // websocket room and API calls are the ones everybody else uses.
  if (id !== id.toLowerCase()) redirect(`/d/${encodeURIComponent(id.toLowerCase())}`);
  return <DocumentView documentId={id} />;
}
