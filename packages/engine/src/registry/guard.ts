// The registry policy at connect time: an undici dispatcher whose every connection — registry,
// token service, each redirect hop — is checked against the policy after DNS resolution, in the
// connector itself (IP literals directly, names through a lookup hook that sees every resolved
// address), so a name that resolves to loopback is caught and nothing is checked first and
// connected later. A refused connection is never attempted.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { Agent, buildConnector } from 'undici';
import { formatHostPort, isPublicAddress, operatorExempt, type RegistryPolicy } from './policy';

/** A connection the policy refused; `host` is host[:port] as a user would write it. */
export class RegistryPolicyError extends Error {
  override name = 'RegistryPolicyError';
  readonly code = 'ERR_REGISTRY_POLICY';
  constructor(readonly host: string) {
    super(`connections to ${host} are not allowed by the registry policy`);
  }
}

/** The policy error somewhere in an error's cause chain (fetch wraps connect errors). */
export function policyErrorOf(e: unknown): RegistryPolicyError | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 6 && cur; i++) {
    if (cur instanceof RegistryPolicyError) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that answers only when every address the name resolves to is public. */
function publicOnlyLookup(display: string) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      // One private answer refuses the name: a mixed answer is how DNS rebinding gets in.
      if (!addresses.length || addresses.some((a) => !isPublicAddress(a.address))) return callback(new RegistryPolicyError(display) as NodeJS.ErrnoException, []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

type Undici = typeof import('undici');
/**
 * undici is loaded on the first request through a policy, not with this module: the CLI (no
 * policy) never needs it, and loading it cost ~20 ms of every `oscompose build` start.
 */
let undici: Promise<Undici> | undefined;

/** An undici dispatcher that applies the policy to every connection it opens. */
function policyDispatcher({ Agent, buildConnector }: Undici, policy: RegistryPolicy): Agent {
  const direct = buildConnector({});
  const checked = new Map<string, buildConnector.connector>();
  return new Agent({
    connect(opts, callback) {
      const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
      const host = opts.hostname.replace(/^\[|\]$/g, '');
      const display = formatHostPort(host, opts.port ? port : undefined);
      if (operatorExempt(policy, host, port)) return direct(opts, callback);
      if (isIP(host)) {
        if (!isPublicAddress(host)) return callback(new RegistryPolicyError(display), null);
        return direct(opts, callback);
      }
      // Names resolve inside the connect call itself: the address checked is the one dialled.
      let connect = checked.get(display);
      if (!connect) checked.set(display, (connect = buildConnector({ lookup: publicOnlyLookup(display) } as buildConnector.BuildOptions)));
      return connect(opts, callback);
    },
  });
}

/** fetch through a policy dispatcher (undici's own fetch, the same version as its Agent). */
export function policyFetch(policy: RegistryPolicy): typeof fetch {
  let dispatcher: Agent | undefined;
  return (async (input: string | URL, init?: RequestInit) => {
    const u = await (undici ??= import('undici'));
    dispatcher ??= policyDispatcher(u, policy);
    return u.fetch(input as string, { ...(init as object), dispatcher } as never);
  }) as unknown as typeof fetch;
}
