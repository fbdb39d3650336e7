// End-to-end: the boot timeline in Chromium. The starter `minimal` composition with one more
// onboot image, built by a real worker and booted in QEMU by its boot check; the build page draws
// where the boot's time went and lists the onboot containers in the order they ran. Screenshots
// light and dark.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadDefaultCompositions } from '@oscompose/catalog';
import { startStack, type Stack } from './support/stack';

const SHOTS = path.join(import.meta.dirname, 'screenshots');
let s: Stack;

beforeAll(async () => {
  s = await startStack({ WORKER_BOOT_CHECK: 'true' });
}, 900_000);

afterAll(async () => {
  await s?.stop();
});

describe('the boot timeline in the browser', () => {
  it('firmware, kernel, init, each onboot container in order, services, boot complete', async () => {
    const minimal = (await loadDefaultCompositions({ registryHost: 'localhost:5000' })).find((c) => c.name === 'minimal')!.yaml;
    const spec = minimal.replace('onboot:\n', 'onboot:\n  - name: hello\n    image: localhost:5000/oscompose/hello:0.1\n');
    expect(spec).toContain('hello:0.1');
    const id = await s.build(spec, 'timeline');
    const { page, web } = s;

    await page.goto(`${web.url}/builds/${id}`);
    await s.theme(false);
    const timeline = page.getByTestId('boot-timeline');
    await timeline.waitFor();
    const spans = await page.getByTestId('boot-timeline-spans').locator('li[data-phase]').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-phase'), li.querySelector('.font-mono')?.textContent]));
    expect(spans).toEqual([
      ['firmware', 'firmware'],
      ['kernel', 'kernel'],
      ['init', 'init'],
      ['onboot', 'onboot 000-hello'],
      ['onboot', 'onboot 001-dhcpcd'],
      ['services', 'services'],
    ]);
    expect(await timeline.textContent()).toMatch(/boot complete \(getty, httpd started\)/);
    // Each span is a focusable item named with its duration.
    const first = timeline.getByRole('listitem').first();
    await first.focus();
    expect(await first.getAttribute('aria-label')).toMatch(/^firmware: \d+\.\d+ s, ended at/);
    await timeline.scrollIntoViewIfNeeded();
    await timeline.screenshot({ path: path.join(SHOTS, 'boot-timeline.png') });
    await s.theme(true);
    await page.getByTestId('boot-timeline').waitFor();
    await page.getByTestId('boot-timeline').screenshot({ path: path.join(SHOTS, 'boot-timeline-dark.png') });
  });
});
