// The spec as file contents for `files: [{metadata: yaml|json}]`: LinuxKit writes its parsed
// config with image references expanded, as JSON (Go field order, 4-space indent) or YAML.
import { stringify } from 'yaml';
import type { Spec } from '@oscompose/spec';
import { marshalIndent, type GoValue } from './go-json';
import { referenceExpand } from './plan';

const IMAGE_KEYS = [
  'name', 'image', 'capabilities', 'capabilities.add', 'ambient', 'mounts', 'binds', 'binds.add', 'devices', 'tmpfs', 'command',
  'env', 'cwd', 'net', 'pid', 'ipc', 'uts', 'userns', 'hostname', 'readonly', 'maskedPaths', 'readonlyPaths', 'uid', 'gid',
  'additionalGids', 'noNewPrivileges', 'oomScoreAdj', 'rootfsPropagation', 'cgroupsPath', 'resources', 'sysctl', 'rlimits',
  'uidMappings', 'gidMappings', 'annotations', 'runtime',
];

function ordered(obj: Record<string, unknown>, keys: string[], always: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (obj[k] !== undefined || always.includes(k)) out[k] = obj[k] ?? (k === 'directory' || k === 'optional' ? false : undefined);
  return out;
}

/**
 * LinuxKit writes image references as its UpdateImages leaves them: util.ReferenceExpand'ed
 * (docker.io/library/… for Docker Hub names, no default tag added).
 */
const expand = referenceExpand;

function mobyObject(spec: Spec): Record<string, unknown> {
  const images = (l?: unknown[]) =>
    l ? l.map((c) => ordered({ ...(c as Record<string, unknown>), image: expand(String((c as { image: string }).image)) }, IMAGE_KEYS)) : null;
  return {
    kernel: ordered({ ...(spec.kernel ?? {}), image: spec.kernel?.image ? expand(spec.kernel.image) : '' }, ['image', 'cmdline', 'binary', 'tar', 'ucode'], ['image']),
    init: spec.init ? spec.init.map(expand) : null,
    onboot: images(spec.onboot),
    onshutdown: images(spec.onshutdown),
    services: images(spec.services),
    files: spec.files
      ? spec.files.map((f) => ordered(f as Record<string, unknown>, ['path', 'directory', 'symlink', 'contents', 'source', 'metadata', 'optional', 'mode', 'uid', 'gid'], ['path', 'directory', 'optional']))
      : null,
    volumes: spec.volumes
      ? // UpdateImages does not touch volumes: their image stays as written.
        spec.volumes.map((v) => ordered({ ...v } as Record<string, unknown>, ['name', 'image', 'readonly', 'format', 'platforms'], ['name']))
      : null,
  };
}

export function specMetadata(spec: Spec, format: string): Buffer {
  const m = mobyObject(spec);
  if (format === 'json') return Buffer.from(marshalIndent(m as GoValue));
  const forYaml = Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined).map(([k, v]) => [k, v ?? []]));
  // Close to Go's yaml.v2: YAML 1.1 quoting ("0644", "yes"), sequences not indented, literal
  // blocks for multi-line strings, no line folding.
  return Buffer.from(stringify(forYaml, { version: '1.1', indentSeq: false, lineWidth: 0, blockQuote: 'literal', defaultStringType: 'PLAIN' }));
}
