import type { Metadata } from 'next';
import { CompositionList } from '../../src/compositions/CompositionList';

export const metadata: Metadata = { title: 'Compositions' };

export default function CompositionsPage() {
  return <CompositionList />;
}
