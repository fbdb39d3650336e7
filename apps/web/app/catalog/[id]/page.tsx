import { CatalogDetail } from '../../../src/catalog/CatalogDetail';

export default async function CatalogEntryPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <CatalogDetail id={id} />;
}
