// The top bar: sections of the app, the current one highlighted; `/` focuses the page's search.
'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect } from 'react';
import { cx } from './classNames';
import { ThemeToggle } from './ThemeToggle';

const links = [
  { href: '/compose', label: 'Compose' },
  { href: '/catalog', label: 'Catalog' },
  { href: '/compositions', label: 'Compositions' },
  { href: '/builds', label: 'Builds' },
  { href: '/settings', label: 'Settings' },
];

export function AppNav() {
  const pathname = usePathname();
  useEffect(() => {
    // `/` jumps to the page's search box (any input marked data-search), unless already typing.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.metaKey || e.ctrlKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) || t.closest('.monaco-editor'))) return;
      const search = document.querySelector<HTMLInputElement>('input[data-search]');
      if (search) {
        e.preventDefault();
        search.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <header className="sticky top-0 z-20 flex h-12 items-center gap-6 border-b bg-background/90 px-4 backdrop-blur">
      <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
        <span aria-hidden className="grid h-6 w-6 place-items-center rounded bg-primary text-[11px] font-bold text-primary-foreground">os</span>
        oscompose
      </Link>
      <nav aria-label="Main" className="flex items-center gap-1">
        {links.map((l) => {
          const active = pathname === l.href || pathname.startsWith(`${l.href}/`) || (l.href === '/compose' && pathname.startsWith('/compositions/'));
          return (
            <Link
              key={l.href}
              href={l.href}
              aria-current={active ? 'page' : undefined}
              className={cx('rounded-md px-2.5 py-1.5 text-sm', active ? 'bg-muted font-medium' : 'text-muted-foreground hover:text-foreground')}
            >
              {l.label}
            </Link>
          );
        })}
      </nav>
      <div className="ml-auto flex items-center gap-2">
        <span className="hidden text-xs text-muted-foreground md:inline">
          <kbd className="rounded border px-1">/</kbd> search · <kbd className="rounded border px-1">Ctrl S</kbd> save · <kbd className="rounded border px-1">Ctrl ↵</kbd> build
        </span>
        <ThemeToggle />
      </div>
    </header>
  );
}
