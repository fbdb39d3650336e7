import { Suspense } from 'react';
import { CompositionEditor } from '../../../src/compositions/CompositionEditor';

export default async function CompositionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense>
      <CompositionEditor id={id} />
    </Suspense>
  );
}
