// The Unified Kernel Image: systemd-boot's EFI stub with the kernel, the initrd and the cmdline
// added as PE sections (.linux, .initrd, .cmdline). Firmware runs it directly, so it is also
// what the EFI ISO and the EFI disks boot. Assembled with objcopy; bookworm has no ukify.
import { open, writeFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { OutputContext, OutputFormat } from '../types';
import { bootInitrd, oneLineCmdline, requireKernel } from './boot-files';
import { readPe, sectionAddresses, stampPeFile } from './pe';
import { EFI_STUB, TOOLS, runTool } from './tools';

export interface UkiInput {
  out: string;
  kernel: string;
  initrd: string;
  cmdline: string;
  workDir: string;
  sourceDateEpoch: number;
  stub?: string;
  signal?: AbortSignal;
}

export const UKI_REQUIRES = [TOOLS.objcopy, TOOLS.efiStub];

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export async function buildUki(format: string, input: UkiInput): Promise<void> {
  const stub = input.stub ?? EFI_STUB;
  const { endOfSections } = readPe(await readHead(stub, 8192));
  const cmdlinePath = join(input.workDir, `${basename(input.out)}.cmdline`); // one per UKI
  const cmdline = oneLineCmdline(input.cmdline);
  await writeFile(cmdlinePath, cmdline);
  const sizes = [Buffer.byteLength(cmdline), (await stat(input.kernel)).size, (await stat(input.initrd)).size];
  const [cmdlineVma, linuxVma, initrdVma] = sectionAddresses(endOfSections, sizes);
  const hex = (n: number | undefined) => `0x${n!.toString(16)}`;
  await runTool(format, 'objcopy', [
    '--add-section', `.cmdline=${cmdlinePath}`, '--change-section-vma', `.cmdline=${hex(cmdlineVma)}`,
    '--add-section', `.linux=${input.kernel}`, '--change-section-vma', `.linux=${hex(linuxVma)}`,
    '--add-section', `.initrd=${input.initrd}`, '--change-section-vma', `.initrd=${hex(initrdVma)}`,
    stub, input.out,
  ], { signal: input.signal });
  // objcopy stamps the PE header with the current time; replace it with SOURCE_DATE_EPOCH.
  await stampPeFile(input.out, input.sourceDateEpoch);
}

/** Writes the UKI for a build into workDir (or outDir) from the build's pieces. */
export async function ukiFromContext(format: string, ctx: OutputContext, out: string): Promise<void> {
  requireKernel(format, ctx);
  await buildUki(format, {
    out,
    kernel: ctx.kernel,
    initrd: await bootInitrd(ctx),
    cmdline: ctx.cmdline,
    workDir: ctx.workDir,
    sourceDateEpoch: ctx.sourceDateEpoch,
    signal: ctx.signal,
  });
}

export const ukiFormat: OutputFormat = {
  name: 'uki',
  requires: UKI_REQUIRES,
  boot: { medium: 'uki', firmware: 'efi' },
  artifacts: (name) => [`${name}.efi`],
  async write(ctx) {
    const out = join(ctx.outDir, `${ctx.name}.efi`);
    ctx.emit({ type: 'stage', stage: 'output', message: 'uki: EFI stub + kernel + initrd + cmdline' });
    await ukiFromContext('uki', ctx, out);
    return [out];
  },
};
