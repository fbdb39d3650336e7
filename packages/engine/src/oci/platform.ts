// Picking one image out of an image index (multi-arch) for linux/<arch>.

import type { Descriptor, ImageIndex } from './types';

/** Node's arch names → OCI's. */
export function ociArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386', aarch64: 'arm64', x86_64: 'amd64' } as Record<string, string>)[arch] ?? arch;
}

/** The manifest for os/arch (and variant when given, e.g. arm/v7), or undefined. */
export function selectPlatform(index: ImageIndex, arch: string, os = 'linux', variant?: string): Descriptor | undefined {
  const a = ociArch(arch);
  const candidates = index.manifests.filter((m) => m.platform && m.platform.os === os && ociArch(m.platform.architecture) === a);
  if (variant) return candidates.find((m) => m.platform!.variant === variant);
  // Prefer no variant or the usual one (arm64 → v8) over others.
  return candidates.find((m) => !m.platform!.variant || m.platform!.variant === 'v8') ?? candidates[0];
}

export function describePlatforms(index: ImageIndex): string {
  const p = index.manifests.filter((m) => m.platform).map((m) => `${m.platform!.os}/${m.platform!.architecture}${m.platform!.variant ? `/${m.platform!.variant}` : ''}`);
  return p.length ? p.join(', ') : 'none';
}
