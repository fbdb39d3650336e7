import type { Metadata } from 'next';
import { Settings } from '../../src/account/Settings';
import { configuredPublicUrl } from '../../src/server/publicUrl';

export const metadata: Metadata = { title: 'Settings' };
// OSCOMPOSE_PUBLIC_URL is read when the page is served, not baked in by `next build`.
export const dynamic = 'force-dynamic';

export default function SettingsPage() {
  return <Settings publicUrl={configuredPublicUrl()} />;
}
