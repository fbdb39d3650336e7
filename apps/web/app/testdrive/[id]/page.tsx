import { TestdriveView } from '../../../src/testdrives/TestdriveView';

export default async function TestdrivePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <TestdriveView id={id} />;
}
