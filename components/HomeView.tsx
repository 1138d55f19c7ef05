'use client';

import { DocumentList } from './DocumentList';
import { usePersonaView } from './persona/PersonaPreview';
import { ProductView } from './product/ProductView';

/** The start page follows the persona's view: the product view for product owners, else the documents. */
export function HomeView() {
  const { view } = usePersonaView();
  return view === 'product_owner' ? <ProductView /> : <DocumentList />;
}
