// Small status/kind label.
import type { ReactNode } from 'react';
import { cx } from './classNames';

type Tone = 'neutral' | 'primary' | 'success' | 'danger' | 'warning';
const tones: Record<Tone, string> = {
  neutral: 'bg-muted text-muted-foreground',
  primary: 'bg-accent text-primary',
  success: 'bg-success/12 text-success',
  danger: 'bg-destructive/12 text-destructive',
  warning: 'bg-warning/12 text-warning',
};

export function Badge({ tone = 'neutral', children, className }: { tone?: Tone; children: ReactNode; className?: string }) {
  return <span className={cx('inline-flex items-center rounded px-1.5 py-0.5 text-[11px] font-medium leading-4', tones[tone], className)}>{children}</span>;
}

/** Colour for a build status, shared by the build list and the build page. */
export function statusTone(status: string): Tone {
  if (status === 'succeeded') return 'success';
  if (status === 'failed') return 'danger';
  if (status === 'running') return 'primary';
  if (status === 'canceled') return 'warning';
  return 'neutral';
}
