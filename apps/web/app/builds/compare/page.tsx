import type { Metadata } from 'next';
import { BuildCompare } from '../../../src/builds/BuildCompare';

export const metadata: Metadata = { title: 'Compare builds' };

export default async function ComparePage({ searchParams }: { searchParams: Promise<{ a?: string; b?: string }> }) {
  const { a, b } = await searchParams;
  if (!a || !b) return <main className="p-6 text-sm">Pick two builds to compare on the <a className="underline" href="/builds">builds page</a>.</main>;
  return <BuildCompare a={a} b={b} />;
}
