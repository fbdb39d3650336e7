import { describe, expect, it } from 'vitest';
import { parseReference, referenceProblem } from './reference';

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseReference', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', 'latest', undefined, 'docker.io/library/nginx:latest'],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined, 'docker.io/library/nginx:1.27'],
    ['linuxkit/kernel:6.6.71', 'docker.io', 'linuxkit/kernel', '6.6.71', undefined, 'docker.io/linuxkit/kernel:6.6.71'],
    ['docker.io/nginx', 'docker.io', 'library/nginx', 'latest', undefined, 'docker.io/library/nginx:latest'],
    ['index.docker.io/library/nginx:1', 'docker.io', 'library/nginx', '1', undefined, 'docker.io/library/nginx:1'],
    ['localhost:5000/x', 'localhost:5000', 'x', 'latest', undefined, 'localhost:5000/x:latest'],
    ['localhost/oscompose/init:v1', 'localhost', 'oscompose/init', 'v1', undefined, 'localhost/oscompose/init:v1'],
    ['127.0.0.1:5000/a/b/c:t', '127.0.0.1:5000', 'a/b/c', 't', undefined, '127.0.0.1:5000/a/b/c:t'],
    ['ghcr.io/org/app', 'ghcr.io', 'org/app', 'latest', undefined, 'ghcr.io/org/app:latest'],
    [`alpine@${digest}`, 'docker.io', 'library/alpine', undefined, digest, `docker.io/library/alpine@${digest}`],
    [`alpine:3.20@${digest}`, 'docker.io', 'library/alpine', '3.20', digest, `docker.io/library/alpine:3.20@${digest}`],
    ['[::1]:5000/x:y', '[::1]:5000', 'x', 'y', undefined, '[::1]:5000/x:y'],
  ])('%s', (ref, registry, repository, tag, dig, normalized) => {
    const r = parseReference(ref);
    expect(r).toEqual({ registry, repository, ...(tag ? { tag } : {}), ...(dig ? { digest: dig } : {}), normalized });
  });

  it.each([
    ['', 'it is empty'],
    ['Nginx', 'repository names must be lower case'],
    ['nginx:', 'is not a valid tag'],
    ['nginx:-x', 'is not a valid tag'],
    ['nginx@sha256:123', 'is not a digest'],
    [`nginx@sha256:${'A'.repeat(64)}`, 'lower-case hex'],
    ['a//b', 'is not a valid repository path component'],
    ['http://example.com/x', 'remove `http://`'],
    ['my image', 'white space'],
    ['localhost:5000/', 'is not a valid repository path component'],
  ])('rejects %j', (ref, reason) => {
    expect(referenceProblem(ref)).toContain(reason);
    expect(() => parseReference(ref)).toThrow(/invalid image reference/);
  });
});
