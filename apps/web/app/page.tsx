// Home: where to go next.
import Link from 'next/link';

export default function HomePage() {
  return (
    <main className="mx-auto max-w-3xl p-10">
      <h1 className="text-2xl font-semibold">oscompose</h1>
      <p className="mt-2 text-muted-foreground">Compose, build and boot LinuxKit-style operating systems.</p>
      <div className="mt-6 flex gap-3">
        <Link className="rounded-md bg-primary px-4 py-2 text-primary-foreground" href="/compose">New composition</Link>
        <Link className="rounded-md border px-4 py-2" href="/catalog">Catalog</Link>
        <Link className="rounded-md border px-4 py-2" href="/builds">Builds</Link>
      </div>
    </main>
  );
}
