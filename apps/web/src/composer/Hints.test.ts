import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../api-client/types';
import { specHints } from './Hints';
import { readSpecModel } from './specModel';

const entry = (kind: string, name: string, title = name): CatalogEntry => ({
  id: name, reference: `localhost:5000/oscompose/${name}:0.1`, name, kind, title, description: '', defaultConfig: {},
  pinnedDigest: null, tags: [], size: null, architectures: [], source: 'starter', deprecated: false, deprecationNote: '', teamId: null,
});
const catalog = [entry('kernel', 'kernel', 'Linux'), entry('init', 'init'), entry('init', 'runc')];

describe('composer hints', () => {
  it('offers runc when containers would have nothing to run them', () => {
    const model = readSpecModel('kernel:\n  image: k\ninit:\n  - localhost:5000/oscompose/init:0.1\nonboot:\n  - name: hello\n    image: h\n');
    const hints = specHints(model, catalog);
    expect(hints).toHaveLength(1);
    expect(hints[0]?.fix?.item.reference).toBe('localhost:5000/oscompose/runc:0.1');
  });

  it('asks for a kernel and init first, and is quiet once the spec is complete', () => {
    expect(specHints(readSpecModel('onboot: []\n'), catalog).map((h) => h.fix?.label)).toEqual(['Add Linux', 'Add init']);
    const done = readSpecModel('kernel:\n  image: k\ninit:\n  - a/init:1\n  - a/runc:1\nservices:\n  - name: s\n    image: s\n');
    expect(specHints(done, catalog)).toEqual([]);
  });

  it('warns once per deprecated catalog image the spec uses, with the note, pinned or not', () => {
    const old = { ...entry('service', 'sshd', 'SSH daemon'), deprecated: true, deprecationNote: 'use openssh:2 instead' };
    const spec = 'kernel:\n  image: k\ninit:\n  - a/init:1\n  - a/runc:1\nservices:\n  - name: s\n    image: localhost:5000/oscompose/sshd:0.1@sha256:' + 'a'.repeat(64) + '\n  - name: t\n    image: localhost:5000/oscompose/sshd:0.1\n';
    const hints = specHints(readSpecModel(spec), [...catalog, old]);
    expect(hints.map((h) => h.message)).toEqual(['SSH daemon (localhost:5000/oscompose/sshd:0.1) is deprecated in the catalog: use openssh:2 instead.']);
    expect(specHints(readSpecModel(spec), [...catalog, { ...old, deprecated: false }])).toEqual([]);
  });
});
