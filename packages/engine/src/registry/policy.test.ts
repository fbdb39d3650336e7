import { describe, expect, it } from 'vitest';
import { connectionAllowed, ipv6Bytes, isPublicAddress, namespaceProblem, normaliseRegistryHost, notAllowedMessage, operatorExempt, registryAllowed, splitHostPort, teamRegistryPolicy, type RegistryPolicy } from './policy';

describe('addresses a server may connect to', () => {
  it('refuses loopback, private, link-local, metadata, CGNAT, unspecified, multicast and reserved IPv4', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '100.127.255.255', '169.254.169.254', '169.254.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '240.0.0.1', '198.18.0.1', '192.0.2.1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });
  it('allows public IPv4 just outside those ranges', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '100.128.0.1', '169.255.0.1', '11.0.0.1', '192.169.0.1', '140.82.112.3']) {
      expect(isPublicAddress(a), a).toBe(true);
    }
  });
  it('refuses IPv6 loopback, unspecified, link-local, unique-local, multicast, and IPv4-mapped/NAT64/6to4 forms of private IPv4', () => {
    for (const a of ['::1', '::', '[::1]', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', '2002:7f00:1::', '::127.0.0.1', '2001:db8::1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });
  it('allows public IPv6, including mapped and 6to4 forms of public IPv4', () => {
    for (const a of ['2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8', '2002:808:808::1']) {
      expect(isPublicAddress(a), a).toBe(true);
    }
  });
  it('refuses what is not an address at all', () => {
    expect(isPublicAddress('localhost')).toBe(false);
    expect(isPublicAddress('')).toBe(false);
  });
  it('parses IPv6 with :: and a dotted quad', () => {
    expect(ipv6Bytes('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
    expect(ipv6Bytes('fe80::1')).toEqual([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Bytes('1.2.3.4')).toBeUndefined();
  });
});

describe('which registries a spec may name', () => {
  const policy: RegistryPolicy = { operator: ['docker.io', 'ghcr.io', '127.0.0.1:5055', 'localhost:5000'], team: ['registry.example.com', 'localhost:6379'] };
  it('allows the operator\'s and the team\'s hosts, exactly (host and host:port are different registries)', () => {
    expect(registryAllowed(policy, 'ghcr.io')).toBe(true);
    expect(registryAllowed(policy, 'GHCR.io')).toBe(true);
    expect(registryAllowed(policy, 'registry.example.com')).toBe(true);
    expect(registryAllowed(policy, '127.0.0.1:5055')).toBe(true);
    expect(registryAllowed(policy, 'ghcr.io:8443')).toBe(false);
    expect(registryAllowed(policy, '127.0.0.1:6379')).toBe(false);
    expect(registryAllowed(policy, '169.254.169.254')).toBe(false);
    expect(registryAllowed(policy, 'quay.io')).toBe(false);
  });
  it('treats Docker Hub\'s names as one', () => {
    expect(registryAllowed(policy, 'index.docker.io')).toBe(true);
    expect(registryAllowed({ operator: ['registry-1.docker.io'] }, 'docker.io')).toBe(true);
    expect(registryAllowed({ operator: ['ghcr.io'] }, 'docker.io')).toBe(false);
  });
  it('lets only the operator\'s exact host:port reach a private address', () => {
    expect(operatorExempt(policy, '127.0.0.1', 5055)).toBe(true);
    expect(operatorExempt(policy, '127.0.0.1', 6379)).toBe(false);
    expect(operatorExempt(policy, 'localhost', 6379)).toBe(false); // the team's entry does not
    expect(connectionAllowed(policy, 'localhost', 6379, '127.0.0.1')).toBe(false);
    expect(connectionAllowed(policy, 'localhost', 5000, '127.0.0.1')).toBe(true);
    expect(connectionAllowed(policy, 'registry.example.com', 443, '93.184.215.14')).toBe(true);
    expect(operatorExempt({ operator: ['registry.lan'] }, 'registry.lan', 443)).toBe(true);
    expect(operatorExempt({ operator: ['registry.lan'] }, 'registry.lan', 5000)).toBe(false);
    expect(operatorExempt({ operator: ['[::1]:5000'] }, '::1', 5000)).toBe(true);
  });
  it('normalises entries and says one thing when refusing', () => {
    expect(normaliseRegistryHost(' HTTPS://Registry.Example.com:5000/ ')).toBe('registry.example.com:5000');
    expect(splitHostPort('[::1]:5000')).toEqual({ host: '::1', port: 5000 });
    expect(splitHostPort('ghcr.io')).toEqual({ host: 'ghcr.io' });
    expect(notAllowedMessage('127.0.0.1:6379')).toBe('registry 127.0.0.1:6379 is not allowed here; an admin can add it in Settings → Registries');
  });
});

describe("the own registry's namespaces", () => {
  const policy = teamRegistryPolicy({ operator: ['localhost:5000'], team: [], ownRegistry: 'localhost:5000', teamSlug: 'team-a' });
  it('lets a team name its own uploads and the starter catalog, nobody else\'s', () => {
    expect(namespaceProblem(policy, 'localhost:5000', 'team-a/daemon')).toBeUndefined();
    expect(namespaceProblem(policy, 'localhost:5000', 'oscompose/getty')).toBeUndefined();
    expect(namespaceProblem(policy, 'localhost:5000', 'team-b/daemon')).toBe("localhost:5000/team-b/… is not one of this team's images; use localhost:5000/team-a/… or localhost:5000/oscompose/…");
    expect(namespaceProblem(policy, 'ghcr.io', 'team-b/daemon')).toBeUndefined();
    expect(namespaceProblem({ operator: [] }, 'localhost:5000', 'team-b/daemon')).toBeUndefined();
  });
});
