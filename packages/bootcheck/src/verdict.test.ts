import { describe, expect, it } from 'vitest';
import { ConsoleLines, OUR_INIT_EXPECTATION, decide, type BootObservation } from './verdict';
import { BootExpectationsSchema, parseExpectation } from './expectations';

const O = { settleMs: 10_000, timeoutMs: 60_000 };

/** A console given as [ms, text] pairs, observed at `nowMs`. */
function obs(timed: Array<[number, string]>, over: Partial<BootObservation> = {}): BootObservation {
  const c = new ConsoleLines();
  for (const [at, text] of timed) c.push(text + '\r\n', at);
  return { lines: c.lines, nowMs: timed.at(-1)?.[0] ?? 0, vmExited: false, timedOut: false, ...over };
}

const KERNEL: Array<[number, string]> = [
  [100, '[    0.000000] Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org)'],
  [1800, '[    1.612345] Freeing unused kernel image (initmem) memory: 2796K'],
  [1900, '[    1.700000] Run /init as init process'],
];
// LinuxKit-shaped: a shell-script init that runs bundles with runc and prints no protocol lines.
const LINUXKIT: Array<[number, string]> = [...KERNEL, [4000, 'hello from onboot'], [6500, 'web service listening on :80']];

describe('boot verdict for an init that is not ours', () => {
  it('is booted once init took over and nothing panicked for the settle window', () => {
    expect(decide(obs(LINUXKIT, { nowMs: 8000 }), undefined, O)).toMatchObject({ final: false });
    const d = decide(obs(LINUXKIT, { nowMs: 11_801 }), undefined, O);
    expect(d).toMatchObject({ final: true, verdict: 'booted', expectations: [] });
    if (d.final) {
      // the first handover line decides, quoted with its number and time
      expect(d.message).toContain('"[    1.612345] Freeing unused kernel image (initmem) memory: 2796K" (console line 2, 1.8 s)');
      expect(d.handover?.n).toBe(2);
    }
  });

  it('with a quiet kernel, the first line userspace printed is the handover; firmware lines are not', () => {
    // cmdline `quiet`: no "Run /init" line; an ISO's boot loader talks first
    const quiet: Array<[number, string]> = [
      [50, 'SeaBIOS (version 1.16.2-debian-1.16.2-1)'],
      [60, 'Booting from DVD/CD...'],
      [70, 'ISOLINUX 6.04 20200816 ETCD Copyright (C) 1994-2015 H. Peter Anvin et al'],
      [80, 'Loading /boot/kernel... ok'],
      [2100, '[    1.9] x86/cpu: VMX (outside TXT) disabled by BIOS'],
      [3000, 'hello from onboot'],
    ];
    const d = decide(obs(quiet, { nowMs: 13_000 }), undefined, O);
    expect(d).toMatchObject({ final: true, verdict: 'booted' });
    expect(d.final && d.handover?.text).toBe('hello from onboot');
    expect(decide(obs(quiet.slice(0, 5), { nowMs: 60_000, timedOut: true }), undefined, O)).toMatchObject({ final: true, verdict: 'failed' });
    // OVMF booting an ISO (as seen here with a quiet kernel): its lines are firmware too
    const efi: Array<[number, string]> = [
      [900, '\x1b[=3h\x1b[=3hBdsDxe: loading Boot0001 "UEFI QEMU DVD-ROM QM00001 " from PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x0,0xFFFF,0x0)'],
      [950, 'BdsDxe: starting Boot0001 "UEFI QEMU DVD-ROM QM00001 " from PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x0,0xFFFF,0x0)'],
      [20_400, 'lkinit: filesystems mounted'],
    ];
    const e = decide(obs(efi, { nowMs: 31_000 }), undefined, O);
    expect(e.final && [e.verdict, e.handover?.n]).toEqual(['booted', 3]);
    expect(obs(efi).lines[0]!.text).toMatch(/^BdsDxe: loading/);
  });

  it('netboot: what iPXE prints while it fetches the kernel is firmware, not the handover', () => {
    // as QEMU's iPXE ROM prints it booting a build from its iPXE URL (netboot.boot.test.ts)
    const ipxe: Array<[number, string]> = [
      [100, 'SeaBIOS (version 1.16.2-debian-1.16.2-1)'],
      [300, 'iPXE (http://ipxe.org) 00:03.0 CA00 PCI2.10 PnP PMM+06FCAE80+06F0AE80 CA00'],
      [350, 'Booting from ROM...'],
      [380, 'iPXE (PCI 00:03.0) starting execution...ok'],
      [390, 'iPXE initialising devices...ok'],
      [400, 'iPXE 1.21.1+git-20220113.fbbdc3926-0ubuntu1 -- Open Source Network Boot Firmware -- https://ipxe.org'],
      [410, 'Features: DNS HTTP iSCSI NFS TFTP AoE ELF MBOOT PXE bzImage Menu PXEXT'],
      [500, 'net0: 52:54:00:12:34:56 using virtio-net on 0000:00:03.0 (Ethernet) [open]'],
      [510, '  [Link:up, TX:0 TXE:0 RX:0 RXE:0]'],
      [600, 'Configuring (net0 52:54:00:12:34:56)...... ok'],
      [700, 'net0: 10.0.2.15/255.255.255.0 gw 10.0.2.2'],
      [710, 'Next server: 10.0.2.2'],
      [720, 'Filename: http://127.0.0.1:40123/boot/abc.ipxe'],
      [800, 'http://127.0.0.1:40123/boot/abc.ipxe... ok'],
      [810, 'abc.ipxe : 214 bytes [script]'],
      [900, 'http://127.0.0.1:40123/boot/abc/kernel... ok'],
      [1500, 'http://127.0.0.1:40123/boot/abc/initrd... ok'],
    ];
    expect(decide(obs(ipxe, { nowMs: 20_000 }), undefined, O)).toMatchObject({ final: false });
    const booted = decide(obs([...ipxe, ...KERNEL.map(([at, t]): [number, string] => [at + 2000, t])], { nowMs: 20_000 }), undefined, O);
    expect(booted.final && booted.handover?.text).toMatch(/Freeing unused kernel/);
  });

  it('says there is no /init when the kernel falls back to mounting a root filesystem', () => {
    const panic = '[    1.9] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)';
    const d = decide(obs([KERNEL[0]!, KERNEL[1]!, [2000, panic]]), undefined, O);
    expect(d.final && d.message).toBe(`the kernel found no /init in the initramfs and no root filesystem to mount: "${panic}" (console line 3, 2.0 s)`);
  });

  it('says no init was found when the kernel tried them all', () => {
    const d = decide(obs([...KERNEL, [2000, '[    1.8] Kernel panic - not syncing: No working init found.  Try passing init= option to kernel.']]), undefined, O);
    expect(d.final && d.message).toMatch(/^the kernel found no init to run: "\[    1.8\] Kernel panic - not syncing: No working init found/);
  });

  it('is verified when every expectation is met, each with the line and time that met it', () => {
    const d = decide(obs(LINUXKIT), { expect: ['hello from onboot', '/listening on :\\d+/'] }, O);
    expect(d.final && d.verdict).toBe('verified');
    expect(d.expectations).toEqual([
      { kind: 'console', expectation: 'hello from onboot', met: true, line: { n: 4, text: 'hello from onboot', atMs: 4000 }, atMs: 4000 },
      { kind: 'console', expectation: '/listening on :\\d+/', met: true, line: { n: 5, text: 'web service listening on :80', atMs: 6500 }, atMs: 6500 },
    ]);
  });

  it('waits for an unmet expectation, then fails naming it and quoting the last lines', () => {
    const e = { expect: ['hello from onboot', 'nobody prints this'] };
    expect(decide(obs(LINUXKIT), e, O)).toMatchObject({ final: false });
    const d = decide(obs(LINUXKIT, { nowMs: 60_000, timedOut: true }), e, O);
    expect(d.final && d.verdict).toBe('failed');
    if (d.final) {
      expect(d.message).toContain('expectation not met within 60 s: "nobody prints this"');
      expect(d.message).toContain('"web service listening on :80"');
    }
    expect(d.expectations.map((r) => r.met)).toEqual([true, false]);
  });

  it('fails on a panic and quotes it, whatever was expected', () => {
    const noInit: Array<[number, string]> = [
      KERNEL[0]!,
      [1500, '[    1.4] VFS: Cannot open root device "" or unknown-block(0,0): error -6'],
      [1510, '[    1.5] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)'],
      [1520, '[    1.5] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0-56-cloud-amd64'],
    ];
    for (const e of [undefined, { expect: ['x'] }]) {
      const d = decide(obs(noInit), e, O);
      expect(d.final && d.verdict).toBe('failed');
      if (d.final) {
        expect(d.message).toBe('the kernel found no /init in the initramfs and no root filesystem to mount: "[    1.5] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)" (console line 3, 1.5 s)');
        expect(d.decidingLine?.n).toBe(3);
      }
    }
    const late = decide(obs([...LINUXKIT, [7000, '[    6.9] BUG: kernel NULL pointer dereference, address: 0000000000000008']]), undefined, O);
    expect(late.final && late.message).toMatch(/^the kernel panicked after init started: "\[    6.9\] BUG: kernel NULL pointer/);
  });

  it('fails when no userspace is reached in time or the VM dies', () => {
    const t = decide(obs(KERNEL.slice(0, 1), { nowMs: 60_000, timedOut: true }), undefined, O);
    expect(t.final && t.message).toBe('no userspace reached within 60 s (the kernel never handed over to an init); last console lines: "[    0.000000] Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org)"');
    const empty = decide(obs([], { nowMs: 60_000, timedOut: true }), undefined, O);
    expect(empty.final && empty.message).toContain('the console stayed empty');
    const died = decide(obs(LINUXKIT, { nowMs: 7000, vmExited: true }), undefined, O);
    expect(died.final && died.verdict).toBe('failed');
    expect(died.final && died.message).toContain('the VM stopped 5.2 s after init took over (set untilPoweroff');
  });

  it('with untilPoweroff, a clean poweroff is an expectation met', () => {
    const e = { untilPoweroff: true };
    expect(decide(obs(LINUXKIT, { nowMs: 20_000 }), e, O)).toMatchObject({ final: false });
    const d = decide(obs([...LINUXKIT, [9000, '[    8.1] reboot: Power down']], { vmExited: true }), e, O);
    expect(d).toMatchObject({ final: true, verdict: 'verified', expectations: [{ kind: 'poweroff', met: true, atMs: 9000 }] });
  });

  it('counts an HTTP expectation only once the probe answered as asked', () => {
    const e = { http: { port: 80, path: '/health', expect: 'ok' } };
    const waiting = decide(obs(LINUXKIT, { http: { met: false, detail: 'connection refused' } }), e, O);
    expect(waiting).toMatchObject({ final: false, expectations: [{ kind: 'http', met: false, detail: 'connection refused' }] });
    const d = decide(obs(LINUXKIT, { http: { met: true, atMs: 7200, detail: 'answered 200' } }), e, O);
    expect(d).toMatchObject({ final: true, verdict: 'verified', expectations: [{ kind: 'http', expectation: 'HTTP /health on guest port 80 answers 200 with "ok"', met: true, atMs: 7200 }] });
  });
});

describe('boot verdict for our init (console protocol)', () => {
  const OURS: Array<[number, string]> = [
    ...KERNEL,
    [2500, 'oscompose: init 0.1.0 started'],
    [3000, 'oscompose: onboot 000-sysctl exit 0'],
    [3500, 'oscompose: service getty started'],
    [3600, 'oscompose: boot complete'],
  ];

  it('is verified by the always-on container expectation, without waiting to settle', () => {
    const d = decide(obs(OURS), undefined, O);
    expect(d).toMatchObject({ final: true, verdict: 'verified', expectations: [{ kind: 'containers', expectation: OUR_INIT_EXPECTATION, met: true, atMs: 3600 }] });
  });

  it('waits for "boot complete" even after the settle window', () => {
    expect(decide(obs(OURS.slice(0, -1), { nowMs: 30_000 }), undefined, O)).toMatchObject({ final: false });
  });

  it('fails on a container that exited non-zero, quoting its line', () => {
    const bad: Array<[number, string]> = [...OURS.slice(0, 4), [3000, 'oscompose: onboot 001-dhcpcd exit 1'], [3600, 'oscompose: boot complete']];
    const d = decide(obs(bad), undefined, O);
    expect(d.final && d.verdict).toBe('failed');
    expect(d.final && d.message).toBe('onboot 001-dhcpcd exited 1: "oscompose: onboot 001-dhcpcd exit 1" (console line 5, 3.0 s)');
  });

  it('adds user expectations to the container one', () => {
    const d = decide(obs(OURS), { expect: ['getty started'] }, O);
    expect(d.final && d.verdict).toBe('verified');
    expect(d.expectations.map((r) => r.kind)).toEqual(['console', 'containers']);
  });
});

describe('console lines', () => {
  it('times each line by its first character and joins lines split across chunks', () => {
    const c = new ConsoleLines();
    c.push('\x1b[0mfirst', 10);
    c.push(' half\r\nsecond\r\nthi', 20);
    c.push('rd\r\n', 30);
    c.push('no newline', 40);
    expect(c.lines).toEqual([
      { n: 1, text: 'first half', atMs: 10 },
      { n: 2, text: 'second', atMs: 20 },
      { n: 3, text: 'third', atMs: 20 },
    ]);
    c.end(50);
    expect(c.lines.at(-1)).toEqual({ n: 4, text: 'no newline', atMs: 40 });
  });
});

describe('expectations', () => {
  it('reads /regex/flags as a regular expression and anything else as text', () => {
    expect(parseExpectation('/ready in \\d+ ms/i')).toMatchObject({ ok: true, matcher: { kind: 'regex', flags: 'i' } });
    expect(parseExpectation('a/b')).toEqual({ ok: true, matcher: { kind: 'text', text: 'a/b' } });
  });

  it('refuses a bad regex and one that backtracks forever, saying which and why', () => {
    const r = BootExpectationsSchema.safeParse({ expect: ['fine', '/(unclosed/', '/(a+)+$/'], timeoutSeconds: 2 });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues[0]).toMatch(/^expect\.1: \/\(unclosed\/: not a valid regular expression/);
    expect(issues[1]).toMatch(/^expect\.2: \/\(a\+\)\+\$\/: a repeated group that itself repeats/);
    expect(issues[2]).toMatch(/^timeoutSeconds: /);
    expect(BootExpectationsSchema.safeParse({ http: { port: 80 }, extra: 1 }).success).toBe(false);
  });
});
