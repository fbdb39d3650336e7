// End-to-end: the size breakdown in Chromium. Two builds of the starter `minimal` composition by a
// real worker (engine, no boot check), the second with one more onboot image; the build page's
// treemap names the kernel and runc sections, zooms with the mouse and the keyboard and lists the
// largest files; the compare page shows the added section and the size change. Screenshots light
// and dark.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadDefaultCompositions } from '@oscompose/catalog';
import { startStack, type Stack } from './support/stack';

const SHOTS = path.join(import.meta.dirname, 'screenshots');
let s: Stack;

beforeAll(async () => {
  // The pictures are of the build; booting it is another test's.
  s = await startStack({ WORKER_BOOT_CHECK: 'false' });
}, 900_000);

afterAll(async () => {
  await s?.stop();
});

describe('the size breakdown in the browser', () => {
  it('treemap of the minimal build; the compare page shows the added image', async () => {
    const minimal = (await loadDefaultCompositions({ registryHost: 'localhost:5000' })).find((c) => c.name === 'minimal')!.yaml;
    const { page, web } = s;
    await page.goto(`${web.url}/builds`);
    const a = await s.build(minimal, 'minimal');
    const withHello = minimal.replace('onboot:\n', 'onboot:\n  - name: hello\n    image: localhost:5000/oscompose/hello:0.1\n');
    expect(withHello).toContain('hello:0.1');
    const b = await s.build(withHello, 'minimal-hello');

    await page.goto(`${web.url}/builds/${a}`);
    await s.theme(false);
    const treemap = page.getByTestId('treemap');
    await treemap.waitFor();
    const sections = page.getByTestId('size-sections');
    await expect.poll(() => sections.textContent()).toContain('kernel localhost:5000/oscompose/kernel:6.1');
    expect(await sections.textContent()).toContain('init localhost:5000/oscompose/runc:0.1');
    // The boxes are the sections, largest first, each labelled with its size.
    const boxes = treemap.locator('g[role="button"]');
    const names = await boxes.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-node')));
    expect(names).toEqual(expect.arrayContaining(['kernel localhost:5000/oscompose/kernel:6.1', 'init localhost:5000/oscompose/runc:0.1', 'services getty']));
    const sizes = await boxes.evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-bytes'))));
    expect(sizes).toEqual([...sizes].sort((x, y) => y - x));
    const kernelBox = treemap.locator('g[data-node="kernel localhost:5000/oscompose/kernel:6.1"]');
    expect(await page.getByTestId('size-largest').textContent()).toMatch(/\/usr\/(s?bin|lib)\//);
    await page.getByTestId('size-breakdown').scrollIntoViewIfNeeded();
    await page.getByTestId('size-breakdown').screenshot({ path: path.join(SHOTS, 'size-breakdown.png') });

    // Click: into the kernel section; its boxes are directories (the modules under lib/modules).
    await kernelBox.click();
    await expect.poll(() => page.getByTestId('treemap-trail').textContent()).toContain('kernel localhost:5000/oscompose/kernel:6.1');
    const inKernel = await boxes.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-node') ?? ''));
    expect(inKernel.some((n) => n.startsWith('lib/modules') || n === 'lib' || n.startsWith('modules'))).toBe(true);
    await page.getByTestId('size-breakdown').screenshot({ path: path.join(SHOTS, 'size-breakdown-kernel.png') });
    // Keyboard: Escape goes back out; Tab reaches a box and Enter zooms into it.
    await boxes.first().focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('treemap-trail').textContent()).not.toContain('kernel');
    await boxes.nth(1).focus();
    const second = await boxes.nth(1).getAttribute('data-node');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('treemap-trail').textContent()).toContain(second!);
    await page.keyboard.press('Escape');

    await s.theme(true);
    await page.getByTestId('treemap').waitFor();
    await page.getByTestId('size-breakdown').scrollIntoViewIfNeeded();
    await page.getByTestId('size-breakdown').screenshot({ path: path.join(SHOTS, 'size-breakdown-dark.png') });

    // Compare: the hello section is added, the initramfs grew; the rest did not change.
    await page.goto(`${web.url}/builds/compare?a=${a}&b=${b}`);
    const diff = page.getByTestId('section-size-diff');
    await diff.waitFor();
    const hello = diff.locator('tr[data-section="onboot hello"]');
    expect(await hello.textContent()).toContain('added');
    expect(await page.getByTestId('initramfs-change').textContent()).toMatch(/^\+/);
    expect(await diff.locator('tr[data-section="init localhost:5000/oscompose/runc:0.1"]').textContent()).toContain('±0 B');
    await diff.screenshot({ path: path.join(SHOTS, 'compare-sections-dark.png') });
    await s.theme(false);
    await page.getByTestId('section-size-diff').waitFor();
    await page.getByTestId('section-size-diff').screenshot({ path: path.join(SHOTS, 'compare-sections.png') });
  });
});
