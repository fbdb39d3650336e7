// Pure planning: spec + resolved image configs → the ordered sections of the root filesystem,
// each with everything needed to produce its entries and a cache key over those inputs. Mirrors
// `linuxkit build` (moby/build/build.go): kernel, init images, onboot, onshutdown, services, files.
import { createHash } from 'node:crypto';
import type { Spec } from '@oscompose/spec';
import { LayoutError } from './errors';
import { marshalIndent } from './go-json';
import { configToOCI, runtimeJson, type ImageRuntimeDefaults, type ImageSettings, type OciMount } from './runtime-config';

/** Bump when the layout of any section changes, so cached section archives are not reused. */
export const LAYOUT_VERSION = 'oscompose-layout-3';

/** What the planner needs to know about one image: its pinned identity and image config. */
export interface PlannedImage {
  /** The reference as written in the spec. */
  ref: string;
  /** Manifest digest (sha256:…) the reference resolved to. */
  digest: string;
  /** The image config's `config` object (Entrypoint, Cmd, Env, WorkingDir, Labels). */
  config?: ImageRuntimeDefaults;
}

export type ContainerSection = 'onboot' | 'onshutdown' | 'services';

export type SectionPlan =
  | { kind: 'kernel'; id: 'kernel'; label: string; image: PlannedImage; cmdline: string; binary: string; tar: string; ucode: string; key: string }
  | { kind: 'init'; id: string; label: string; image: PlannedImage; key: string }
  | {
      kind: 'container';
      id: string;
      label: string;
      section: ContainerSection;
      name: string;
      /** containers/<section>/<NNN-name|name> */
      path: string;
      image: PlannedImage;
      readonly: boolean;
      /** Where the image is unpacked: path/lower or path/rootfs; or the earlier copy it reuses. */
      root: string;
      /** True when an earlier container already unpacked the same image (stored once). */
      reuses: boolean;
      configJson: string;
      runtimeJson: string;
      key: string;
    }
  | { kind: 'files'; id: 'files'; label: string; files: NonNullable<Spec['files']>; idMap: Record<string, number>; key: string }
  | {
      kind: 'volume';
      id: string;
      label: string;
      name: string;
      /** containers/volumes/<name> */
      path: string;
      image?: PlannedImage;
      key: string;
    };

/** Where LinuxKit puts volume `name`: its contents in lower/, tmp/ for overlay, merged/ as the mount. */
export const VOLUMES_DIR = 'containers/volumes';

/**
 * Bind sources naming a volume become its merged directory (LinuxKit's
 * updateMountsAndBindsFromVolumes); a read-only volume must be bound `ro`.
 */
export function bindVolumes(c: ImageSettings, volumes: ReadonlyMap<string, { readonly?: boolean }>, location: string): ImageSettings {
  const rewrite = (key: string) => {
    const list = c[key];
    if (!Array.isArray(list)) return undefined;
    return list.map((b: unknown) => {
      const parts = String(b).split(':');
      if (parts[0]!.startsWith('/')) return String(b);
      const vol = volumes.get(parts[0]!);
      if (!vol) throw new LayoutError(`volume ${parts[0]} not found; declare it under volumes: or use an absolute host path`, { location });
      if (vol.readonly && parts[2] !== 'ro') throw new LayoutError(`volume ${parts[0]} is read-only, but it is bound read-write; add :ro`, { location });
      parts[0] = `/${VOLUMES_DIR}/${parts[0]}/merged`;
      return parts.join(':');
    });
  };
  const out = { ...c };
  const binds = rewrite('binds');
  const add = rewrite('binds.add');
  if (binds) out.binds = binds;
  if (add) out['binds.add'] = add;
  // LinuxKit checks `mounts` of type bind against volumes but (through a copy) never rewrites them.
  for (const [i, m] of ((Array.isArray(c.mounts) ? c.mounts : []) as Record<string, unknown>[]).entries()) {
    if (m?.type !== 'bind' || String(m.source ?? '').startsWith('/')) continue;
    const vol = volumes.get(String(m.source));
    if (!vol) throw new LayoutError(`volume ${String(m.source)} not found in mount ${i}`, { location });
    if (vol.readonly) {
      // The first of rw/ro in the options decides, as in LinuxKit; neither means read-write.
      const opts = Array.isArray(m.options) ? m.options.map(String) : [];
      if (opts.find((o) => o === 'rw' || o === 'ro') !== 'ro') {
        throw new LayoutError(`volume ${String(m.source)} is read-only, but mount ${i} binds it read-write; add "ro" to its options`, { location });
      }
    }
  }
  return out;
}

export interface Plan {
  sections: SectionPlan[];
  /** Container name → uid/gid LinuxKit allocates (100, 101, … in onboot, onshutdown, services order). */
  idMap: Map<string, number>;
  cmdline: string;
  hasKernel: boolean;
}

function keyOf(obj: unknown): string {
  return createHash('sha256').update(LAYOUT_VERSION).update('\0').update(JSON.stringify(obj)).digest('hex');
}

/** What a section's cache key pins the image by (digest-pinned when known). */
function identity(img: PlannedImage): string {
  return img.digest || img.ref;
}

/**
 * The key two containers must share to be stored once. LinuxKit's ImageBundle keys its dupMap
 * by the reference string after util.ReferenceExpand (a Docker Hub domain added, no default
 * tag), not by digest: `alpine` and `docker.io/library/alpine` are one, while `alpine` and
 * `alpine:latest`, or `alpine:3.20` and `alpine@sha256:…`, are unpacked twice.
 */
export function referenceExpand(ref: string): string {
  const parts = ref.split('/');
  if (parts.length === 1) return `docker.io/library/${ref}`;
  const first = parts[0]!;
  if (parts.length === 2 && !first.includes('.') && !first.includes(':') && first !== 'localhost') return `docker.io/${ref}`;
  return ref;
}

export function planSections(spec: Spec, images: ReadonlyMap<string, PlannedImage>): Plan {
  const lookup = (ref: string, location: string): PlannedImage => {
    const img = images.get(ref);
    if (!img) throw new LayoutError(`image ${ref} was not resolved; resolve every image reference before planning`, { location });
    return img;
  };
  const sections: SectionPlan[] = [];
  const idMap = new Map<string, number>();
  let id = 100;
  for (const s of ['onboot', 'onshutdown', 'services'] as const) for (const c of spec[s] ?? []) idMap.set(c.name, id++);

  const kernel = spec.kernel;
  if (kernel?.image) {
    const image = lookup(kernel.image, 'kernel');
    const tar = kernel.tar === undefined ? 'kernel.tar' : kernel.tar === 'none' ? '' : kernel.tar;
    const p = { cmdline: kernel.cmdline ?? '', binary: kernel.binary || 'kernel', tar, ucode: kernel.ucode ?? '' };
    sections.push({ kind: 'kernel', id: 'kernel', label: `kernel ${kernel.image}`, image, ...p, key: keyOf(['kernel', identity(image), p]) });
  }
  (spec.init ?? []).forEach((ref, i) => {
    const image = lookup(ref, `init[${i}]`);
    sections.push({ kind: 'init', id: `init[${i}]`, label: `init ${ref}`, image, key: keyOf(['init', identity(image)]) });
  });
  const volumes = new Map<string, { readonly?: boolean }>();
  (spec.volumes ?? []).forEach((v, i) => {
    const location = `volumes[${i}]`;
    if (!/^[a-z0-9_-]*$/.test(v.name)) throw new LayoutError(`invalid volume name: ${v.name} (use a-z, 0-9, _ and -)`, { location });
    if (volumes.has(v.name)) throw new LayoutError(`duplicate volume name: ${v.name}`, { location });
    volumes.set(v.name, { readonly: v.readonly });
    if (v.image && v.format === 'oci') throw new LayoutError('volumes with format oci are not supported yet; use format filesystem', { location });
    const image = v.image ? lookup(v.image, location) : undefined;
    const path = `${VOLUMES_DIR}/${v.name}`;
    sections.push({ kind: 'volume', id: location, label: `volume ${v.name}`, name: v.name, path, image, key: keyOf(['volume', path, image ? identity(image) : '']) });
  });

  // The same image in two containers is unpacked once; later ones point at the first copy.
  const unpacked = new Map<string, string>();
  for (const s of ['onboot', 'onshutdown', 'services'] as const) {
    (spec[s] ?? []).forEach((c, i) => {
      const location = `${s}[${i}]`;
      const image = lookup(c.image, location);
      // LinuxKit checks every container against the volumes, declared or not (a bind source
      // without a leading / names a volume).
      const yaml = bindVolumes(c as unknown as ImageSettings, volumes, location);
      const { oci, runtime, readonly } = configToOCI({ yaml, image: image.config, idMap, location });
      const path = `containers/${s}/${s === 'services' ? '' : `${String(i).padStart(3, '0')}-`}${c.name}`;
      const earlier = unpacked.get(referenceExpand(c.image));
      const root = earlier ?? `${path}/${readonly ? 'rootfs' : 'lower'}`;
      if (!earlier) unpacked.set(referenceExpand(c.image), root);
      let mounts: OciMount[];
      if (!readonly) {
        const tmp = `${path}/tmp`;
        mounts = [
          { destination: `/${tmp}`, type: 'tmpfs', source: 'tmpfs' },
          { destination: `/${tmp}`, options: ['remount', 'private'] },
          { destination: `/${path}/rootfs`, type: 'overlay', source: 'overlay', options: [`lowerdir=/${root}`, `upperdir=/${tmp}/upper`, `workdir=/${tmp}/work`] },
        ];
      } else {
        mounts = [{ destination: `/${path}/rootfs`, source: `/${root}`, options: ['bind'] }];
      }
      const configJson = marshalIndent(oci);
      const rtJson = marshalIndent(runtimeJson(runtime, mounts));
      const p = { path, readonly, root, reuses: Boolean(earlier), configJson, runtimeJson: rtJson };
      sections.push({
        kind: 'container', id: location, label: `${s} ${c.name}`, section: s, name: c.name, image, ...p,
        key: keyOf(['container', identity(image), p]),
      });
    });
  }
  if (spec.files?.length) {
    const idObj = Object.fromEntries(idMap);
    // The files section's key also covers source file contents; build.ts adds those.
    sections.push({ kind: 'files', id: 'files', label: 'files', files: spec.files, idMap: idObj, key: keyOf(['files', spec.files, idObj]) });
  }
  return { sections, idMap, cmdline: kernel?.cmdline ?? '', hasKernel: Boolean(kernel?.image) };
}
