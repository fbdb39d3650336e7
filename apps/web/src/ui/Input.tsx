// Text input and textarea with the shared focus ring.
import type { InputHTMLAttributes, TextareaHTMLAttributes } from 'react';
import { cx } from './classNames';

const base = 'rounded-md border bg-card px-2.5 text-sm outline-none placeholder:text-muted-foreground focus-visible:ring-2 focus-visible:ring-ring/40';

/** Full width unless the caller gives a width (Tailwind cannot tell two width classes apart by order). */
const width = (className?: string) => (className && /(^|\s)w-/.test(className) ? undefined : 'w-full');

export function Input({ className, ...rest }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={cx(base, 'h-8', width(className), className)} {...rest} />;
}

export function Textarea({ className, ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea className={cx(base, 'py-1.5 font-mono text-xs', width(className), className)} {...rest} />;
}
