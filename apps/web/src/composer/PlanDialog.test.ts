// The plan dialog rendered to HTML as the server would: what a user reads for each image and section.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { PlanResult } from '../api-client/types';
import { PlanDialog, shortDigest } from './PlanDialog';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const noop = () => undefined;
const render = (props: { plan: PlanResult | null; error?: string | null; loading?: boolean }) =>
  renderToStaticMarkup(createElement(PlanDialog, { plan: props.plan, error: props.error ?? null, loading: props.loading ?? false, onClose: noop, onBuild: noop }));

describe('PlanDialog', () => {
  it('shortens digests to algorithm and 12 hex digits', () => {
    expect(shortDigest(DIGEST)).toBe('sha256:0123456789ab');
  });

  it('shows each image with its short digest, a copy of the full one, and each section cached or to build', () => {
    const html = render({
      plan: {
        images: [
          { reference: 'localhost:5000/oscompose/kernel:6.6', digest: DIGEST, source: 'store', cached: true },
          { reference: '127.0.0.1:1/x/svc:1', digest: null, source: 'registry', cached: false, error: '127.0.0.1:1/x/svc:1: connection refused' },
        ],
        sections: [
          { name: 'kernel localhost:5000/oscompose/kernel:6.6', kind: 'kernel', cached: true },
          { name: 'services svc', kind: 'container', cached: false },
        ],
        problems: [],
      },
    });
    expect(html).toContain('sha256:0123456789ab');
    expect(html).toContain(`aria-label="Copy: ${DIGEST}"`);
    expect(html).toContain('image store');
    expect(html).toContain('unresolved');
    expect(html).toContain('connection refused');
    expect(html).toMatch(/kernel localhost:5000\/oscompose\/kernel:6\.6<\/span><span[^>]*>cached ✓/);
    expect(html).toMatch(/services svc<\/span><span[^>]*>will build/);
    expect(html).toContain('1 of 2 cached');
  });

  it('shows the loading and error states', () => {
    expect(render({ plan: null, loading: true })).toContain('Resolving images…');
    expect(render({ plan: null, error: 'HTTP 500' })).toContain('Could not make the plan: HTTP 500');
  });
});
