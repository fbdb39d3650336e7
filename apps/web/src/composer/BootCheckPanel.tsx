// Middle pane, bottom: what a good boot of this composition looks like (console lines, an HTTP
// answer, a time limit, poweroff). Saved with the composition version next to the spec, sent with
// Build; the fields are validated as the API validates them (bootCheckForm.ts).
'use client';
import { useState, type ReactNode } from 'react';
import { Field } from '../ui/Field';
import { Input, Textarea } from '../ui/Input';
import { cx } from '../ui/classNames';
import { describeExpectations, expectationsFromForm, type BootCheckField, type BootCheckForm, type BootCheckProblem } from './bootCheckForm';

interface Props {
  form: BootCheckForm;
  onChange(form: BootCheckForm): void;
  /** The saved version's expectations differ from the panel. */
  dirty?: boolean;
}

/** A field with the schema's problems for it under the input. */
function CheckedField({ problems, children, ...field }: { label: string; hint?: ReactNode; htmlFor: string; problems: BootCheckProblem[]; children: ReactNode }) {
  return (
    <Field {...field}>
      {children}
      {problems.map((p, i) => (
        <p key={i} className="text-xs text-destructive" data-boot-problem={p.field}>{p.message}</p>
      ))}
    </Field>
  );
}

export function BootCheckPanel({ form, onChange, dirty }: Props) {
  const result = expectationsFromForm(form);
  const problems = result.ok ? [] : result.problems;
  // Open when there is something to see: saved expectations or a problem.
  const [open, setOpen] = useState(() => !result.ok || result.value !== null);
  const of = (field: BootCheckField) => problems.filter((p) => p.field === field);
  const set = (patch: Partial<BootCheckForm>) => onChange({ ...form, ...patch });
  // Marks an input whose value the schema refuses (red border, aria-invalid for screen readers).
  const invalid = (field: BootCheckField, className?: string) => ({ 'aria-invalid': of(field).length > 0 || undefined, className: cx(className, of(field).length > 0 && 'border-destructive') });
  const summary = result.ok ? describeExpectations(result.value) : `${problems.length} problem${problems.length === 1 ? '' : 's'} to fix before saving or building`;

  return (
    <section aria-label="Boot check" className="border-t" data-testid="boot-check-panel">
      <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)} className="flex w-full items-start gap-2 px-3 py-2 text-left hover:bg-muted/50">
        <span aria-hidden className={cx('mt-0.5 text-xs text-muted-foreground transition-transform', open && 'rotate-90')}>▶</span>
        <span className="min-w-0 flex-1">
          <span className="block text-xs font-semibold uppercase tracking-wide text-muted-foreground">
            Boot check{dirty ? <span className="ml-1.5 font-normal normal-case tracking-normal">· unsaved</span> : null}
          </span>
          <span className={cx('block text-xs', result.ok ? 'text-foreground' : 'text-destructive')} data-testid="boot-check-summary">{summary}</span>
        </span>
      </button>
      {open ? (
        <div className="space-y-3 px-3 pb-3">
          <CheckedField
            label="Console lines to expect"
            hint={<>one a line: text, or <code className="font-mono">/regex/i</code></>}
            htmlFor="boot-expect"
            problems={of('expect')}
          >
            <Textarea id="boot-expect" rows={3} spellCheck={false} value={form.expect} placeholder={'hello from onboot\n/sshd.*listening on port \\d+/'} onChange={(e) => set({ expect: e.target.value })} {...invalid('expect')} />
          </CheckedField>
          <div className="grid grid-cols-[5.5rem_1fr_1fr] gap-2">
            <CheckedField label="HTTP port" htmlFor="boot-http-port" problems={of('httpPort')}>
              <Input id="boot-http-port" inputMode="numeric" placeholder="80" value={form.httpPort} onChange={(e) => set({ httpPort: e.target.value })} {...invalid('httpPort')} />
            </CheckedField>
            <CheckedField label="Path" htmlFor="boot-http-path" problems={of('httpPath')}>
              <Input id="boot-http-path" placeholder="/" value={form.httpPath} onChange={(e) => set({ httpPath: e.target.value })} {...invalid('httpPath', 'font-mono text-xs')} />
            </CheckedField>
            <CheckedField label="Body contains" htmlFor="boot-http-expect" problems={of('httpExpect')}>
              <Input id="boot-http-expect" placeholder="any 200 answer" value={form.httpExpect} onChange={(e) => set({ httpExpect: e.target.value })} {...invalid('httpExpect')} />
            </CheckedField>
          </div>
          <div className="flex flex-wrap items-end gap-4">
            <CheckedField label="Time limit" hint="seconds, 5–1800" htmlFor="boot-timeout" problems={of('timeoutSeconds')}>
              <Input id="boot-timeout" inputMode="numeric" placeholder="worker default" value={form.timeoutSeconds} onChange={(e) => set({ timeoutSeconds: e.target.value })} {...invalid('timeoutSeconds', 'w-36')} />
            </CheckedField>
            <label className="flex h-8 items-center gap-2 text-sm">
              <input type="checkbox" checked={form.untilPoweroff} onChange={(e) => set({ untilPoweroff: e.target.checked })} />
              Wait until it powers off
            </label>
          </div>
          <p className="text-xs text-muted-foreground">
            Empty: <b>booted</b> means the kernel handed over to init and nothing panicked. With expectations, the build is <b>verified</b> when all are met within the time limit, and <b>failed</b> (quoting the console) when one is not.
          </p>
        </div>
      ) : null}
    </section>
  );
}
