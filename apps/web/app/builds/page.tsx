import type { Metadata } from 'next';
import { BuildList } from '../../src/builds/BuildList';

export const metadata: Metadata = { title: 'Builds' };

export default function BuildsPage() {
  return <BuildList />;
}
