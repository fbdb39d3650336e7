// Intermediate files shared by several formats of one build (the BIOS disk behind raw-bios,
// qcow2-bios, vhd and vmdk; the initrd with microcode) are made once in the build's workDir.
import { access, writeFile } from 'node:fs/promises';

const inFlight = new Map<string, Promise<string>>();

/** Runs `make` for `path` unless an earlier call (finished or still running) already did. */
export function once(path: string, make: () => Promise<void>): Promise<string> {
  const running = inFlight.get(path);
  if (running) return running;
  const done = `${path}.done`;
  const p = (async () => {
    try {
      await access(done);
      return path;
    } catch {
      await make();
      await writeFile(done, '');
      return path;
    }
  })().finally(() => inFlight.delete(path));
  inFlight.set(path, p);
  return p;
}
