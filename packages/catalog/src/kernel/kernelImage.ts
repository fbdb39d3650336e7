// LinuxKit's kernel image layout from a Debian kernel package: /kernel (the bzImage),
// /kernel.tar (lib/modules/<version>/… with modules.dep and modules.alias made by us) and
// /config. One image per module set: a small set by default, everything as another tag.

import { tarBuffer, type FsEntry } from '@oscompose/engine';
import { RecipeError } from '../errors';
import { sortByPath, withParents } from '../recipe/rootfs';
import { modInfoOf, moduleClosure, modulesAlias, modulesDep } from './modules';

export interface KernelParts {
  version: string;
  kernel: Buffer;
  config?: Buffer;
  /** Everything under lib/modules/<version>/ from the package. */
  moduleFiles: FsEntry[];
}

export function kernelParts(entries: FsEntry[], recipe = 'kernel'): KernelParts {
  const vmlinuz = entries.find((e) => /^boot\/vmlinuz-/.test(e.path) && e.type === 'file');
  if (!vmlinuz) throw new RecipeError('the kernel package has no /boot/vmlinuz-*; name a linux-image-* package', recipe);
  const version = vmlinuz.path.slice('boot/vmlinuz-'.length);
  const config = entries.find((e) => e.path === `boot/config-${version}`);
  const prefix = `lib/modules/${version}/`;
  return {
    version,
    kernel: vmlinuz.content as Buffer,
    config: config?.content as Buffer | undefined,
    moduleFiles: entries.filter((e) => e.path.startsWith(prefix)),
  };
}

/** The image's files for one module set ("all" or names whose dependencies are added). */
export async function kernelImageEntries(parts: KernelParts, set: string[] | 'all', recipe = 'kernel'): Promise<FsEntry[]> {
  const prefix = `lib/modules/${parts.version}/`;
  const kos = parts.moduleFiles.filter((e) => e.type === 'file' && /\.ko(\.(xz|zst|gz))?$/.test(e.path));
  const infos = kos.map((e) => modInfoOf(e.path.slice(prefix.length), e.content as Buffer));
  let chosen = infos;
  if (set !== 'all') {
    const c = moduleClosure(infos, set);
    if (c.missing.length) {
      const builtin = String(parts.moduleFiles.find((e) => e.path === `${prefix}modules.builtin`)?.content ?? '');
      const reallyMissing = c.missing.filter((m) => !new RegExp(`/${m.replace(/_/g, '[_-]')}\\.ko\\n`).test(builtin + '\n'));
      if (reallyMissing.length) throw new RecipeError(`modules not in ${parts.version}: ${reallyMissing.join(', ')}`, recipe);
    }
    chosen = c.modules;
  }
  const keepPaths = new Set(chosen.map((m) => prefix + m.path));
  const meta = (name: string, content: string | Buffer): FsEntry => {
    const b = Buffer.from(content);
    return { path: prefix + name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: b.length, content: b };
  };
  const files: FsEntry[] = [
    ...parts.moduleFiles.filter((e) => keepPaths.has(e.path)),
    ...parts.moduleFiles.filter((e) => /\/modules\.(builtin|builtin\.modinfo|order)$/.test(e.path)),
    meta('modules.dep', modulesDep(chosen)),
    meta('modules.alias', modulesAlias(chosen)),
  ];
  const tar = await tarBuffer(withParents(files, parts.moduleFiles), { mtime: 0 });
  const top = (path: string, content: Buffer): FsEntry => ({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, content });
  return sortByPath([top('kernel', parts.kernel), top('kernel.tar', tar), ...(parts.config ? [top('config', parts.config)] : [])]);
}
