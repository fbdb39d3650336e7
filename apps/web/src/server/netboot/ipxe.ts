// The iPXE script a netboot URL answers: kernel, initrd and cmdline of one build, by absolute URL
// (firmware has no notion of a relative one). Pure: the route supplies base URL and token.

/** iPXE expands ${…} in every command line; a cmdline holding "$" cannot be passed safely. */
export function ipxeUnsafe(cmdline: string): boolean {
  return /[$\r\n]/.test(cmdline);
}

export function ipxeScript(input: { base: string; token: string; cmdline: string; buildId: string; name: string }): string {
  const files = `${input.base}/boot/${input.token}`;
  // initrd=initrd: the kernel's EFI stub loads the initrd by that name when iPXE boots under UEFI;
  // a BIOS boot ignores it.
  return [
    '#!ipxe',
    `# oscompose build ${input.buildId} (${input.name.replace(/[^\w.-]/g, '_')})`,
    `kernel ${files}/kernel initrd=initrd ${input.cmdline}`.trimEnd(),
    `initrd --name initrd ${files}/initrd`,
    'boot',
    '',
  ].join('\n');
}
