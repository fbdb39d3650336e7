// Home: start composing, or pick up where the team left off (recent compositions and builds).
import type { Metadata } from 'next';
import Link from 'next/link';
import { buttonClass } from '../src/ui/Button';
import { RecentActivity } from '../src/home/RecentActivity';

export const metadata: Metadata = { title: 'oscompose' };

export default function HomePage() {
  return (
    <main className="mx-auto w-full max-w-5xl p-8">
      <section className="rounded-xl border bg-card p-8">
        <h1 className="text-2xl font-semibold tracking-tight">Compose an operating system, build it, boot it.</h1>
        <p className="mt-2 max-w-2xl text-muted-foreground">
          Pick a kernel, an init and the services you need from the catalog, or paste a <code className="font-mono text-sm">linuxkit.yml</code>.
          oscompose builds bootable images (kernel+initrd, ISO, disk images), checks they boot in QEMU, and keeps every build for the team.
        </p>
        <div className="mt-6 flex flex-wrap gap-3">
          <Link className={buttonClass('primary')} href="/compose">New composition</Link>
          <Link className={buttonClass('outline')} href="/catalog">Browse the catalog</Link>
          <Link className={buttonClass('ghost')} href="/builds">Build history</Link>
        </div>
      </section>
      <RecentActivity />
    </main>
  );
}
