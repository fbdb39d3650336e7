import { BuildView } from '../../../src/builds/BuildView';
import { configuredPublicUrl } from '../../../src/server/publicUrl';

export default async function BuildPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <BuildView id={id} publicUrl={configuredPublicUrl()} />;
}
