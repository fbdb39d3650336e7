// Path globs for recipes' keep/drop lists: `*` and `?` within one path segment, `**` across
// segments; a pattern also matches everything below a matching directory.

export function globToRegExp(glob: string): RegExp {
  const g = glob.replace(/^\/+/, '').replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*' && g[i + 1] === '*') {
      re += '.*';
      i++;
      if (g[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(/.*)?$`);
}

export function matcher(globs: string[] | undefined): (path: string) => boolean {
  if (!globs) return () => true;
  const res = globs.map(globToRegExp);
  return (p) => res.some((r) => r.test(p));
}
