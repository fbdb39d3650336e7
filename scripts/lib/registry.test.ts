import { describe, expect, it } from 'vitest';
import { isRoutineRegistryLine, registryConfigYaml, registryListenPort } from './registry.mjs';

describe('npm start registry settings', () => {
  it('serves only an OSCOMPOSE_REGISTRY on this machine, on its port', () => {
    expect(registryListenPort('localhost:5000')).toBe(5000);
    expect(registryListenPort('127.0.0.1:5123')).toBe(5123);
    expect(registryListenPort('localhost')).toBe(5000);
    expect(registryListenPort('registry.example.com:5000')).toBeNull();
  });

  it('configures token auth as the token route signs (service, issuer) on 127.0.0.1', () => {
    const yaml = registryConfigYaml({ port: 5000, storage: '/d/registry', realm: 'http://127.0.0.1:3000/api/v1/registry/token', certPath: '/d/registry-token/cert.pem', httpSecret: 's' });
    expect(yaml).toContain('addr: 127.0.0.1:5000');
    expect(yaml).toContain('service: oscompose-registry');
    expect(yaml).toContain('issuer: oscompose');
    expect(yaml).toContain('rootcertbundle: /d/registry-token/cert.pem');
    expect(yaml).toContain('realm: http://127.0.0.1:3000/api/v1/registry/token');
  });

  it('hides routine 401/404 lines, keeps the rest', () => {
    expect(isRoutineRegistryLine('level=warning msg="error authorizing context: authorization token required"')).toBe(true);
    expect(isRoutineRegistryLine('level=error msg="response completed with error" err.code="blob unknown"')).toBe(true);
    expect(isRoutineRegistryLine('level=error msg="response completed with error" err.code="DENIED"')).toBe(false);
  });
});
