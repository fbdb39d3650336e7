// End-to-end, in Chromium against the real web app, database and Redis: the composer's Boot check
// panel (validate, save with the composition version, reload, build with it), and the build page
// for each of the four verdicts (badge, the deciding sentence, each expectation met with its
// console line and time or unmet, our init's container table, the console with search and
// download, "did not boot" artifacts still downloadable), and the verdicts in the build list.
//
// No worker or QEMU runs here: the four builds are Build rows created through Prisma with stored
// reports, and their artifacts and console files are put in the real artifact store. The reports
// are made by the boot check's own verdict code (decide, buildReport) over synthetic consoles, so
// the page is shown exactly what the worker would store. The real pipeline (API → worker → QEMU →
// report) has its own tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONSOLE_FORMAT, ConsoleLines, buildReport, consoleFileName, decide, parseConsole, type ArtifactBootReport, type BootCheckReport, type BootExpectations, type Verdict } from '@oscompose/bootcheck';
import { LocalArtifactStore } from '@oscompose/storage';
import { startRedis, type RedisServer } from '@oscompose/queue/testing';
import { ensureBuilt, removeDir, seedDatabase, startWeb, type SeededDb, type WebApp } from './support/webApp';
import { launchBrowser, yamlText } from './support/browser';

const SHOTS = path.join(import.meta.dirname, 'screenshots');

let db: SeededDb;
let redis: RedisServer;
let web: WebApp;
let browser: Browser;
let page: Page;
let store: LocalArtifactStore;

const SPEC = `kernel:
  image: localhost:5000/oscompose/kernel:6.1
  cmdline: console=ttyS0
init:
  - linuxkit/init:v1.1.0
  - linuxkit/runc:v1.1.0
onboot:
  - name: hello
    image: localhost:5000/oscompose/hello:1
services:
  - name: httpd
    image: localhost:5000/oscompose/httpd:1
`;

// ---------------------------------------------------------------------------------------------
// Synthetic consoles, judged by the real verdict code.

const NOISE = [
  'Linux version 6.1.0-28-cloud-amd64 (debian-kernel@lists.debian.org)',
  'Command line: console=ttyS0',
  'x86/fpu: Supporting XSAVE feature 0x001',
  'BIOS-provided physical RAM map:',
  'ACPI: Early table checksum verification disabled',
  'Memory: 481284K/523768K available',
  'clocksource: tsc-early: mask: 0xffffffffffffffff',
  'Serial: 8250/16550 driver, 4 ports, IRQ sharing enabled',
  'virtio_blk virtio1: [vda] 2097152 512-byte logical blocks',
  'NET: Registered PF_INET6 protocol family',
];
const noise = (n: number) => Array.from({ length: n }, (_, i) => `[    ${(i * 0.0123).toFixed(6).padStart(11)}] ${NOISE[i % NOISE.length]}`);

interface Boot {
  artifact: ArtifactBootReport;
  console: string;
}

function judge(format: string, artifact: string, artifacts: string[], text: string[], o: { msPerLine: number; expectations?: BootExpectations; settleMs?: number; vmExited?: boolean }): Boot {
  const lines = new ConsoleLines();
  text.forEach((t, i) => lines.push(`${t}\r\n`, Math.round((i + 1) * o.msPerLine)));
  const settleMs = o.settleMs ?? 3000;
  const nowMs = text.length * o.msPerLine + settleMs;
  const d = decide({ lines: lines.lines, nowMs, vmExited: Boolean(o.vmExited), timedOut: false }, o.expectations, { settleMs, timeoutMs: 60_000 });
  if (!d.final) throw new Error(`the synthetic console of ${artifact} is not final yet`);
  const console = `${text.join('\r\n')}\r\n`;
  return {
    console,
    artifact: {
      format,
      artifact,
      artifacts,
      verdict: d.verdict,
      message: d.message,
      expectations: d.expectations,
      containers: parseConsole(text.join('\n') + '\n').containers,
      durationMs: nowMs,
      consoleName: consoleFileName(artifact),
    },
  };
}

const KI = (name: string) => [`${name}-kernel`, `${name}-initrd.img`, `${name}-cmdline`];

// Our init, two expectations: the first met on console line 141 at 3.2 s.
const VERIFIED_EXPECT: BootExpectations = { expect: ['hello from onboot', '/listening on :\\d+/'] };
function verifiedBoot(): Boot {
  const text = [...noise(130), 'Run /init as init process', 'oscompose: init 0.1 started', ...noise(7), 'oscompose: onboot 000-dhcpcd exit 0', 'hello from onboot', 'oscompose: onboot 001-hello exit 0', 'httpd: listening on :80', 'oscompose: service httpd started', 'oscompose: service getty started', 'oscompose: boot complete'];
  return judge('kernel+initrd', 'verified-initrd.img', KI('verified'), text, { msPerLine: 23, expectations: VERIFIED_EXPECT });
}
// An initramfs without /init: the kernel panics; the expectation is never met.
function failedBoot(): Boot {
  const text = [
    ...noise(90),
    'Freeing unused kernel image (initmem) memory: 2720K',
    'Kernel panic - not syncing: No working init found.  Try passing init= option to kernel. See Linux Documentation/admin-guide/init.rst for guidance.',
    'CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0-28-cloud-amd64 #1  Debian 6.1.119-1',
    'Call Trace:',
    ' <TASK>',
    ' dump_stack_lvl+0x44/0x5c',
    ' panic+0x118/0x2fa',
    ' kernel_init+0x15d/0x160',
    ' </TASK>',
    '---[ end Kernel panic - not syncing: No working init found. ]---',
  ];
  return judge('kernel+initrd', 'failed-initrd.img', KI('failed'), text, { msPerLine: 31, expectations: { expect: ['hello from onboot'] } });
}
// LinuxKit's kind of init: no protocol lines, nothing expected: booted.
function bootedBoot(): Boot {
  const text = [...noise(97), 'Run /init as init process', '  with arguments:', '    /init', 'mount: mounting proc on /proc', 'hello from a LinuxKit-shaped onboot container', 'Welcome to LinuxKit', 'getty: ttyS0 ready'];
  return judge('kernel+initrd', 'booted-initrd.img', KI('booted'), text, { msPerLine: 19 });
}

async function put(buildId: string, format: string, name: string, content: string) {
  const file = path.join(db.dir, 'tmp', `${buildId}-${name}`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  const key = `builds/${buildId}/${name}`;
  await store.put(key, file);
  await db.prisma.artifact.create({
    data: { buildId, format, name, size: BigInt(Buffer.byteLength(content)), sha256: createHash('sha256').update(content).digest('hex'), storageKey: key },
  });
}

/** A finished build with its stored report, artifacts and console files, as the worker leaves it. */
async function storedBuild(name: string, formats: string[], requested: BootExpectations | null, boots: Boot[], notChecked: ArtifactBootReport[] = []) {
  const report = buildReport(requested, [...boots.map((b) => b.artifact), ...notChecked]);
  const started = new Date(Date.now() - 90_000);
  const build = await db.prisma.build.create({
    data: {
      teamId: db.teamId,
      requesterId: db.userId,
      name,
      specText: SPEC,
      specHash: createHash('sha256').update(SPEC).digest('hex'),
      resolvedSpec: SPEC,
      formats: JSON.stringify(formats),
      status: report.verdict === 'failed' ? 'failed' : 'succeeded',
      error: report.verdict === 'failed' ? `Boot check failed: ${report.message}` : null,
      queuedAt: started,
      startedAt: started,
      finishedAt: new Date(started.getTime() + 42_000),
      bootCheck: JSON.stringify(report),
      bootExpectations: requested ? JSON.stringify(requested) : null,
      bootVerdict: report.verdict,
    },
  });
  for (const b of boots) {
    for (const file of b.artifact.artifacts) await put(build.id, b.artifact.format, file, `${file} bytes\n`.repeat(64));
    await put(build.id, CONSOLE_FORMAT, b.artifact.consoleName!, b.console);
  }
  for (const n of notChecked) for (const file of n.artifacts) await put(build.id, n.format, file, `${file} bytes\n`.repeat(64));
  return { id: build.id, report };
}

let builds: Record<Verdict, { id: string; report: BootCheckReport }>;

beforeAll(async () => {
  ensureBuilt();
  db = await seedDatabase();
  redis = await startRedis();
  const artifactDir = path.join(db.dir, 'artifacts');
  store = new LocalArtifactStore(artifactDir);
  web = await startWeb({
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: `e2eboot${process.pid}`,
    OSCOMPOSE_DATA_DIR: path.join(db.dir, 'data'),
    OSCOMPOSE_ARTIFACT_DIR: artifactDir,
  });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('pageerror', (e) => console.error('[browser]', e.message));

  builds = {
    verified: await storedBuild('verified', ['kernel+initrd', 'tar'], VERIFIED_EXPECT, [verifiedBoot()], [
      { format: 'tar', artifact: 'verified.tar', artifacts: ['verified.tar'], verdict: 'not checked', message: 'tar is not a bootable medium', expectations: [], containers: [], durationMs: null, consoleName: null },
    ]),
    failed: await storedBuild('failed', ['kernel+initrd'], { expect: ['hello from onboot'] }, [failedBoot()]),
    booted: await storedBuild('booted', ['kernel+initrd'], null, [bootedBoot()]),
    'not checked': await storedBuild('not-checked', ['tar'], null, [], [
      { format: 'tar', artifact: 'not-checked.tar', artifacts: ['not-checked.tar'], verdict: 'not checked', message: 'tar is not a bootable medium', expectations: [], containers: [], durationMs: null, consoleName: null },
    ]),
  };
  // The synthetic consoles were judged as intended (else the page checks below prove nothing).
  expect(Object.fromEntries(Object.entries(builds).map(([k, b]) => [k, b.report.verdict]))).toEqual({ verified: 'verified', failed: 'failed', booted: 'booted', 'not checked': 'not checked' });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await redis?.stop();
  await db?.prisma.$disconnect();
  if (db) removeDir(db.dir);
});

const panel = () => page.getByTestId('boot-check-panel');
async function openPanel() {
  const toggle = panel().getByRole('button', { name: /Boot check/ });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}
async function panelValues() {
  await openPanel();
  return {
    expect: await page.getByLabel('Console lines to expect').inputValue(),
    port: await page.getByLabel('HTTP port').inputValue(),
    path: await page.getByLabel('Path', { exact: true }).inputValue(),
    body: await page.getByLabel('Body contains').inputValue(),
    timeout: await page.getByLabel('Time limit').inputValue(),
    poweroff: await page.getByLabel('Wait until it powers off').isChecked(),
  };
}

describe('the composer\'s Boot check panel', () => {
  it('refuses a bad regex, saves the expectations with the composition, and shows them after a reload', async () => {
    await page.goto(`${web.url}/compose`);
    await page.waitForSelector('.monaco-editor');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByLabel('YAML to import').fill(SPEC);
    await page.getByRole('dialog').getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => yamlText(page)).toBe(SPEC);
    await page.getByLabel('Composition name').fill('boot-check-box');
    // Nothing asked: what "booted" means is said where the expectations go.
    expect(await page.getByTestId('boot-check-summary').textContent()).toBe('booted means the kernel handed over to init and nothing panicked');

    await openPanel();
    await page.getByLabel('Console lines to expect').fill('hello from onboot\n/[a/');
    await expect.poll(() => panel().locator('[data-boot-problem="expect"]').allTextContents()).toEqual([expect.stringMatching(/^line 2: \/\[a\/: not a valid regular expression/)]);
    expect(await page.getByTestId('boot-check-summary').textContent()).toBe('1 problem to fix before saving or building');
    const textarea = page.getByLabel('Console lines to expect');
    expect(await textarea.getAttribute('aria-invalid')).toBe('true');
    // Its border turns the error colour (not the plain border colour of every element).
    expect(await textarea.evaluate((el) => getComputedStyle(el).borderTopColor)).toBe('rgb(217, 45, 32)');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // (Next's route announcer is an empty role=alert too.)
    await expect.poll(async () => (await page.getByRole('alert').allTextContents()).filter(Boolean)).toEqual([expect.stringContaining('Boot check: line 2: /[a/: not a valid regular expression')]);
    expect(new URL(page.url()).pathname).toBe('/compose');

    await page.getByLabel('Console lines to expect').fill('hello from onboot\n/listening on :\\d+/');
    await page.getByLabel('HTTP port').fill('80');
    await page.getByLabel('Path', { exact: true }).fill('healthz');
    await expect.poll(() => panel().locator('[data-boot-problem="httpPath"]').allTextContents()).toEqual(['path starts with /']);
    await page.getByLabel('Path', { exact: true }).fill('/healthz');
    await page.getByLabel('Body contains').fill('ok');
    await page.getByLabel('Time limit').fill('90');
    await page.getByLabel('Wait until it powers off').check();
    await expect.poll(() => page.getByTestId('boot-check-summary').textContent()).toBe('verified when: 2 console lines, HTTP :80/healthz, powers off, within 90 s');
    expect(await panel().locator('[data-boot-problem]').count()).toBe(0);
    await panel().screenshot({ path: path.join(SHOTS, 'boot-panel.png') });

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/compositions\/[^/]+$/);
    const compositionId = page.url().split('/').pop()!;
    await page.waitForSelector('.monaco-editor');
    const saved = { expect: 'hello from onboot\n/listening on :\\d+/', port: '80', path: '/healthz', body: 'ok', timeout: '90', poweroff: true };
    expect(await panelValues()).toEqual(saved);

    // A second version that changes only the expectations; the spec stays LinuxKit's YAML.
    await page.getByLabel('Time limit').fill('120');
    await page.getByLabel('Wait until it powers off').uncheck();
    await expect.poll(() => panel().getByRole('button', { name: /Boot check/ }).textContent()).toContain('unsaved');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('status').allTextContents()).toContain('Saved version 2');
    // The history shows that only the boot check changed.
    await page.getByRole('button', { name: 'History (2)' }).click();
    await expect.poll(() => page.getByTestId('boot-check-diff').textContent()).toContain('time limit: 120 s');
    expect(await page.getByTestId('diff').first().textContent()).toContain('identical');
    const bootDiff = await page.getByTestId('boot-check-diff').locator('pre > div').allTextContents();
    expect(bootDiff.filter((l) => /^\s*\d*\s*\d*[+−]/.test(l)).map((l) => l.replace(/^\s*\d*\s*\d*/, '')).sort()).toEqual(['+time limit: 120 s', '−time limit: 90 s', '−wait until it powers off']);
    await page.screenshot({ path: path.join(SHOTS, 'boot-panel-history.png') });
    await page.keyboard.press('Escape');
    await page.reload();
    await page.waitForSelector('.monaco-editor');
    expect(await panelValues()).toEqual({ ...saved, timeout: '120', poweroff: false });
    expect(await yamlText(page)).toBe(SPEC);
    const api = (await (await page.request.get(`${web.url}/api/v1/compositions/${compositionId}`)).json()) as { bootCheck: unknown; latestVersion: number; spec: string };
    expect(api).toMatchObject({ latestVersion: 2, spec: SPEC, bootCheck: { expect: ['hello from onboot', '/listening on :\\d+/'], http: { port: 80, path: '/healthz', expect: 'ok' }, timeoutSeconds: 120 } });
    await page.screenshot({ path: path.join(SHOTS, 'boot-panel-composer.png') });

    // Build sends them: the saved composition by id (its version), the expectations as shown.
    await page.getByRole('button', { name: 'Build', exact: true }).click();
    await page.waitForURL(/\/builds\/[^/]+$/);
    const row = await db.prisma.build.findUniqueOrThrow({ where: { id: page.url().split('/').pop()! }, include: { compositionVersion: true } });
    expect(JSON.parse(row.bootExpectations ?? 'null')).toEqual(api.bootCheck);
    expect(row.compositionVersion?.version).toBe(2);

    // Emptied, it saves "nothing asked" (null), and says so again after a reload.
    await page.goto(`${web.url}/compositions/${compositionId}`);
    await page.waitForSelector('.monaco-editor');
    await openPanel();
    for (const label of ['Console lines to expect', 'HTTP port', 'Body contains', 'Time limit']) await page.getByLabel(label).fill('');
    await page.getByLabel('Path', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('status').allTextContents()).toContain('Saved version 3');
    await page.reload();
    await page.waitForSelector('.monaco-editor');
    expect(await page.getByTestId('boot-check-summary').textContent()).toBe('booted means the kernel handed over to init and nothing panicked');
    expect((await (await page.request.get(`${web.url}/api/v1/compositions/${compositionId}`)).json()).bootCheck).toBeNull();
  });

  it('looks right in the dark theme', async () => {
    const dark = await browser.newPage({ viewport: { width: 1280, height: 860 }, colorScheme: 'dark' });
    try {
      await dark.goto(`${web.url}/compose`);
      await dark.waitForSelector('.monaco-editor');
      const toggle = dark.getByTestId('boot-check-panel').getByRole('button', { name: /Boot check/ });
      if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
      await dark.getByLabel('Console lines to expect').fill('hello from onboot\n/(a+)+/');
      await dark.getByLabel('HTTP port').fill('80');
      expect(await dark.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
      await dark.getByTestId('boot-check-panel').screenshot({ path: path.join(SHOTS, 'boot-panel-dark.png') });
    } finally {
      await dark.close();
    }
  });
});

const box = () => page.getByTestId('boot-check');
async function openBuild(p: Page, v: Verdict) {
  await p.goto(`${web.url}/builds/${builds[v].id}`);
  await p.getByTestId('boot-check').waitFor();
}

describe('the build page, one verdict at a time', () => {
  it('verified: every expectation met with its console line and time, the container table, the console', async () => {
    await openBuild(page, 'verified');
    expect(await box().locator('[data-verdict]').first().getAttribute('data-verdict')).toBe('verified');
    expect(await page.getByTestId('boot-message').textContent()).toBe(builds.verified.report.message);
    expect(await page.getByTestId('boot-requested').textContent()).toBe('Expected: 2 console lines. With our init, every onboot container must also exit 0 and every service start.');
    const hello = box().locator('[data-expectation="hello from onboot"]');
    expect(await hello.getAttribute('data-met')).toBe('true');
    expect(await hello.getByTestId('expectation-when').textContent()).toBe('at 3.2 s, line 141');
    expect(await hello.textContent()).toContain('hello from onboot');
    expect(await box().locator('[data-expectation="/listening on :\\\\d+/"]').getByTestId('expectation-when').textContent()).toMatch(/^at \d+\.\d s, line 143$/);
    expect(await box().locator('[data-expectation^="every onboot container"]').getAttribute('data-met')).toBe('true');
    const containers = await box().getByTestId('containers').locator('tbody tr').allTextContents();
    expect(containers).toEqual([expect.stringMatching(/onboot000-dhcpcdexited0/), expect.stringMatching(/onboot001-helloexited0/), expect.stringMatching(/servicehttpdstarted/), expect.stringMatching(/servicegettystarted/)]);
    // The tar format was not booted, and says why.
    expect(await box().locator('[data-boot-artifact="verified.tar"]').textContent()).toContain('tar is not a bootable medium');

    // "line 141" opens the console there.
    await hello.getByRole('button', { name: 'at 3.2 s, line 141' }).click();
    const line = box().locator('[data-boot-artifact="verified-initrd.img"] [data-line="141"]');
    await line.waitFor();
    expect(await line.textContent()).toBe('141hello from onboot');
    const [lb, cb] = [await line.boundingBox(), await box().getByRole('log').boundingBox()];
    expect(lb!.y).toBeGreaterThanOrEqual(cb!.y);
    expect(lb!.y + lb!.height).toBeLessThanOrEqual(cb!.y + cb!.height);
    const artifacts = await page.getByTestId('artifacts').locator('tbody tr').allTextContents();
    expect(artifacts.filter((r) => r.includes('did not boot'))).toEqual([]);
    expect(artifacts.find((r) => r.startsWith('verified-initrd.img'))).toContain('verified');
    await page.waitForTimeout(1600); // the jumped-to line's flash fades
    await page.screenshot({ path: path.join(SHOTS, 'build-verified.png'), fullPage: true });
  });

  it('failed: the panic quoted, the unmet expectation, the console searchable and downloadable, artifacts marked "did not boot" and still downloadable', async () => {
    await openBuild(page, 'failed');
    expect(await box().locator('[data-verdict]').first().getAttribute('data-verdict')).toBe('failed');
    const message = await page.getByTestId('boot-message').textContent();
    expect(message).toBe(builds.failed.report.message);
    expect(message).toContain('"Kernel panic - not syncing: No working init found.');
    expect(message).toContain('(console line 92, ');
    const hello = box().locator('[data-expectation="hello from onboot"]');
    expect(await hello.getAttribute('data-met')).toBe('false');
    expect(await hello.getByTestId('expectation-when').textContent()).toBe('not met: no console line matched');

    // The console of a failed boot is open; search highlights, then filters.
    const search = page.getByLabel('Search the console of failed-initrd.img.console.txt');
    // `/` jumps to it, as to every page's search box.
    await page.locator('body').press('/');
    expect(await search.evaluate((el) => el === document.activeElement)).toBe(true);
    await search.fill('panic');
    await expect.poll(() => page.getByTestId('console-matches').textContent()).toBe('3 matching lines');
    expect(await box().getByRole('log').locator('mark').count()).toBe(3);
    await page.getByLabel('Only matching lines').check();
    expect(await box().getByRole('log').locator('[data-line]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-line'))))).toEqual([92, 97, 100]);
    await search.fill('/No working \\w+/');
    await expect.poll(() => page.getByTestId('console-matches').textContent()).toBe('2 matching lines');
    expect(await box().getByRole('log').locator('mark').allTextContents()).toEqual(['No working init', 'No working init']);
    await search.fill('/[x/');
    await expect.poll(() => page.getByTestId('console-matches').textContent()).toContain('not a valid regular expression');
    await search.fill('panic');
    await page.screenshot({ path: path.join(SHOTS, 'build-failed.png'), fullPage: true });

    const consoleLink = box().getByRole('link', { name: 'Download failed-initrd.img.console.txt' });
    const res = await page.request.get(`${web.url}${await consoleLink.getAttribute('href')}`);
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain('Kernel panic - not syncing: No working init found.');

    // Each artifact of the failed format: "did not boot", and its download still works.
    const rows = page.getByTestId('artifacts').locator('tbody tr');
    expect(await rows.count()).toBe(3);
    for (const r of await rows.all()) {
      expect(await r.textContent()).toContain('did not boot');
      const dl = await page.request.get(`${web.url}${await r.getByRole('link', { name: 'Download' }).getAttribute('href')}`);
      expect(dl.status()).toBe(200);
      expect(await dl.text()).toMatch(/^failed-(kernel|initrd\.img|cmdline) bytes\n/);
    }
  });

  it('booted: the handover line quoted, nothing asked, the console behind a click', async () => {
    await openBuild(page, 'booted');
    expect(await box().locator('[data-verdict]').first().getAttribute('data-verdict')).toBe('booted');
    const message = await page.getByTestId('boot-message').textContent();
    expect(message).toBe(builds.booted.report.message);
    expect(message).toContain('"Run /init as init process" (console line 98, 1.9 s)');
    expect(await page.getByTestId('boot-requested').textContent()).toBe('Nothing expected beyond a boot: booted means the kernel handed over to init and nothing panicked.');
    expect(await box().getByTestId('expectations').count()).toBe(0);
    await box().getByText('Console of booted-initrd.img').click();
    await page.getByLabel('Search the console of booted-initrd.img.console.txt').fill('linuxkit');
    await expect.poll(() => page.getByTestId('console-matches').textContent()).toBe('2 matching lines');
    // The first match (line 102 of 104) is scrolled into the console's view.
    const match = box().getByRole('log').locator('[data-line="102"]');
    const [mb, lb] = [await match.boundingBox(), await box().getByRole('log').boundingBox()];
    expect(mb!.y).toBeGreaterThanOrEqual(lb!.y);
    expect(mb!.y + mb!.height).toBeLessThanOrEqual(lb!.y + lb!.height);
    await page.screenshot({ path: path.join(SHOTS, 'build-booted.png'), fullPage: true });
  });

  it('not checked: says why, no console', async () => {
    await openBuild(page, 'not checked');
    expect(await box().locator('[data-verdict]').first().getAttribute('data-verdict')).toBe('not checked');
    expect(await page.getByTestId('boot-message').textContent()).toBe('not checked: tar is not a bootable medium');
    expect(await page.getByTestId('boot-requested').textContent()).toBe('Nothing was booted, so nothing was judged.');
    expect(await box().getByTestId('console').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'build-not-checked.png'), fullPage: true });
  });

  it('the build list shows each verdict; each state in the dark theme', async () => {
    await page.goto(`${web.url}/builds`);
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThanOrEqual(4);
    const verdictOf = async (name: string) => page.locator('tbody tr', { has: page.getByRole('link', { name, exact: true }) }).locator('[data-verdict]').getAttribute('data-verdict');
    expect({ verified: await verdictOf('verified'), failed: await verdictOf('failed'), booted: await verdictOf('booted'), 'not-checked': await verdictOf('not-checked') }).toEqual({ verified: 'verified', failed: 'failed', booted: 'booted', 'not-checked': 'not checked' });
    await page.screenshot({ path: path.join(SHOTS, 'builds-verdicts.png') });
    // Comparing two builds shows both verdicts.
    await page.goto(`${web.url}/builds/compare?a=${builds.verified.id}&b=${builds.failed.id}`);
    await page.getByTestId('diff').waitFor();
    expect(await page.locator('h1 [data-verdict]').evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')))).toEqual(['verified', 'failed']);

    const dark = await browser.newPage({ viewport: { width: 1280, height: 860 }, colorScheme: 'dark' });
    try {
      for (const v of ['verified', 'failed', 'booted', 'not checked'] as const) {
        await openBuild(dark, v);
        if (v === 'failed') {
          await dark.getByLabel('Search the console of failed-initrd.img.console.txt').fill('panic');
          await expect.poll(() => dark.getByTestId('console-matches').textContent()).toBe('3 matching lines');
        }
        expect(await dark.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
        await dark.screenshot({ path: path.join(SHOTS, `build-${v.replace(' ', '-')}-dark.png`), fullPage: true });
      }
    } finally {
      await dark.close();
    }
  });
});
