// /compose — a new composition (the draft lives in the browser until the first save).
import { Suspense } from 'react';
import type { Metadata } from 'next';
import { Composer } from '../../src/composer/Composer';

export const metadata: Metadata = { title: 'Compose' };

export default function ComposePage() {
  return (
    <Suspense>
      <Composer initialName="" initialText="" />
    </Suspense>
  );
}
