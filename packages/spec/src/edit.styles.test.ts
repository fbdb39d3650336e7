// The edit API on the YAML styles people write (4-space indents, indentless lists, CRLF, flow
// style, document markers, no final newline): each edit must give the same data as the same edit
// on plain objects, and must not break the YAML.
import { describe, expect, it } from 'vitest';
import { SpecDocument } from './edit';

const styles: Record<string, string> = {
  fourSpaces: 'kernel:\n    image: k\nservices:\n    -   name: a\n        image: a\n    -   name: b\n        image: b\n',
  indentless: 'kernel:\n  image: k\nservices:\n- name: a\n  image: a\n- name: b\n  image: b\n',
  crlf: 'kernel:\r\n  image: k\r\nservices:\r\n  - name: a\r\n    image: a\r\n  - name: b\r\n    image: b\r\n',
  noFinalNewline: 'kernel:\n  image: k\nservices:\n  - name: a\n    image: a\n  - name: b\n    image: b',
  trailingComment: 'kernel:\n  image: k\nservices:\n  - name: a\n    image: a\n  - name: b\n    image: b\n  # end of services\nfiles: []\n',
  flow: 'kernel: {image: k}\nservices: [{name: a, image: a}, {name: b, image: b}]\n',
  docMarkers: '---\nkernel:\n  image: k\nservices:\n  - name: a\n    image: a\n  - name: b\n    image: b\n...\n',
};

describe.each(Object.entries(styles))('edits on %s', (_name, src) => {
  const ops: [string, (d: SpecDocument) => void, (s: any) => unknown][] = [
    ['add', (d) => d.addImage('services', { name: 'c', image: 'c' }), (s) => s.services.push({ name: 'c', image: 'c' })],
    ['add0', (d) => d.addImage('services', { name: 'c', image: 'c', env: ['A=1'] }, 0), (s) => s.services.unshift({ name: 'c', image: 'c', env: ['A=1'] })],
    ['remove', (d) => d.removeImage('services', 'a'), (s) => s.services.shift()],
    ['removeLast', (d) => d.removeImage('services', 1), (s) => s.services.pop()],
    ['move', (d) => d.moveImage('services', 0, 1), (s) => s.services.reverse()],
    ['move2', (d) => d.moveImage('services', 1, 0), (s) => s.services.reverse()],
    ['set', (d) => d.setField(['services', 1, 'net'], 'host'), (s) => (s.services[1].net = 'host')],
    ['setK', (d) => d.setField(['kernel', 'cmdline'], 'console=ttyS0'), (s) => (s.kernel.cmdline = 'console=ttyS0')],
    ['setImg', (d) => d.setField(['kernel', 'image'], 'k2'), (s) => (s.kernel.image = 'k2')],
    ['unset', (d) => d.unsetField(['services', 0, 'name']), (s) => delete s.services[0].name],
    ['unsetK', (d) => d.unsetField(['kernel', 'image']), (s) => delete s.kernel.image],
    ['newSection', (d) => d.setField(['init'], ['i']), (s) => (s.init = ['i'])],
  ];

  it.each(ops.map(([op, edit, model]) => [op, edit, model] as const))('%s', (_op, edit, model) => {
    const d = SpecDocument.parse(src);
    const want = JSON.parse(JSON.stringify(d.doc.toJS()));
    edit(d);
    model(want);
    expect(d.doc.errors).toEqual([]);
    expect(d.doc.toJS()).toEqual(want);
    if (src.includes('\r\n')) expect(d.toString()).not.toMatch(/[^\r]\n/);
  });
});
