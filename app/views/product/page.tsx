import type { Metadata } from 'next';
import { ProductView } from '@/components/product/ProductView';

export const metadata: Metadata = { title: 'Product view' };

export default function ProductViewPage() {
  return <ProductView />;
}
