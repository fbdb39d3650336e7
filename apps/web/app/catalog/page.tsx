import type { Metadata } from 'next';
import { CatalogBrowser } from '../../src/catalog/CatalogBrowser';

export const metadata: Metadata = { title: 'Catalog' };

export default function CatalogPage() {
  return <CatalogBrowser />;
}
