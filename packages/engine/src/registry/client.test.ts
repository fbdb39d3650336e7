import { describe, expect, it } from 'vitest';
import { isLoopbackRegistry, parseChallenge, RegistryClient, registryBaseUrl } from './client';
import { RegistryError } from './errors';
import { credentialEnvName, credentialFor, parseDockerConfig } from './credentials';

describe('plain HTTP only for loopback and insecure registries', () => {
  it('uses http for localhost, 127.0.0.0/8 and ::1', () => {
    expect(registryBaseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBaseUrl('127.0.0.1:41000')).toBe('http://127.0.0.1:41000');
    expect(registryBaseUrl('127.8.9.10')).toBe('http://127.8.9.10');
    expect(registryBaseUrl('[::1]:5000')).toBe('http://[::1]:5000');
    expect(isLoopbackRegistry('128.0.0.1')).toBe(false);
    expect(isLoopbackRegistry('localhost.example.com')).toBe(false);
  });
  it('uses https elsewhere unless the host is marked insecure; Docker Hub goes to registry-1', () => {
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io');
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
    expect(registryBaseUrl('registry.lan:5000', ['registry.lan:5000'])).toBe('http://registry.lan:5000');
    expect(registryBaseUrl('registry.lan:5000', ['registry.lan'])).toBe('https://registry.lan:5000');
  });
});

describe('WWW-Authenticate', () => {
  it('parses Docker Hub style bearer challenges', () => {
    const c = parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"');
    expect(c).toEqual({ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } });
    expect(parseChallenge('Basic realm="x"').scheme).toBe('basic');
  });
});

describe('credentials', () => {
  it('reads docker config auths, including Docker Hub legacy keys', () => {
    const creds = parseDockerConfig({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
        'ghcr.io': { username: 'me', password: 'tok' },
        'quay.io': {},
      },
    });
    expect(creds).toEqual({ 'docker.io': { username: 'hubuser', password: 'hubpass' }, 'ghcr.io': { username: 'me', password: 'tok' } });
  });
  it('prefers explicit, then environment, then docker config', () => {
    expect(credentialEnvName('localhost:5000')).toBe('OSCOMPOSE_REGISTRY_AUTH_LOCALHOST_5000');
    const env = { OSCOMPOSE_REGISTRY_AUTH_GHCR_IO: 'envuser:p:with:colons' };
    const docker = { 'ghcr.io': { username: 'd', password: 'd' } };
    expect(credentialFor('ghcr.io', { env, docker })).toEqual({ username: 'envuser', password: 'p:with:colons' });
    expect(credentialFor('ghcr.io', { docker })).toEqual({ username: 'd', password: 'd' });
    expect(credentialFor('ghcr.io', { explicit: { 'ghcr.io': { username: 'x', password: 'y' } }, env, docker })?.username).toBe('x');
    expect(credentialFor('registry-1.docker.io', { docker: { 'docker.io': { username: 'h', password: 'p' } } })?.username).toBe('h');
  });
});

describe('token realm', () => {
  it('does not send a password to a plain-HTTP token service', async () => {
    const sent: string[] = [];
    const fake: typeof fetch = async (input) => {
      sent.push(String(input));
      return new Response('', { status: 401, headers: { 'www-authenticate': 'Bearer realm="http://auth.example.com/token",service="r"' } });
    };
    const client = new RegistryClient({ fetch: fake, dockerConfig: false, env: {}, credentials: { 'registry.example.com': { username: 'u', password: 'p' } } });
    const e = await client.getManifest('registry.example.com/a/b:1').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).code).toBe('insecure');
    expect(sent).toEqual(['https://registry.example.com/v2/a/b/manifests/1']);
  });
});
