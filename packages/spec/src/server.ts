// What a server that builds specs for its users refuses, though `linuxkit build` accepts it:
// anything that makes the build read the build machine's own files. In LinuxKit's YAML that is
// `files: - source:` (absolute, `~/`, relative, through symlinks: every form names a host file).
// Pure: a typed spec in, findings out; parseSpec applies it with `{ server: true }`, the CLI never.
import type { Spec } from './schema';
import type { Finding } from './semantic';

/** The problem a server shows for `files[i].source`. */
export function hostFileMessage(source: string): string {
  return `\`source: ${source}\` would read a file from the build server's disk, which builds on this server may not do; put the file's text in \`contents\` instead (\`oscompose build\` on your own machine still reads local files)`;
}

export function serverFindings(spec: Spec): Finding[] {
  const out: Finding[] = [];
  const files = Array.isArray(spec.files) ? spec.files : [];
  files.forEach((f, i) => {
    // Any value at all is refused: an empty or odd-typed source is still an attempt to read one.
    if (f && typeof f === 'object' && 'source' in f && f.source !== undefined) {
      out.push({ path: ['files', i, 'source'], message: hostFileMessage(String(f.source)), severity: 'error' });
    }
  });
  return out;
}
