import { DocumentList } from '@/components/DocumentList';

export default function HomePage() {
  return <DocumentList />;
}
