// The operator command: create the first user, team and API token without the UI (automation,
// CI, recovery). Run through scripts/admin.mjs: `node scripts/admin.mjs bootstrap --email … `.
// Works on the database in DATABASE_URL (default data/oscompose.db), like the web app.

import { createPublicKey } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureSigningKey, rotateSigningKey } from '@oscompose/engine';
import { hashPassword } from 'better-auth/crypto';
import { createPrisma, type PrismaClient } from '@oscompose/db';
import { loadWebConfig } from '../config';
import { recordAudit } from './audit';
import { isRole, type Role } from './permissions';
import { uniqueSlug } from './signup';
import { issueToken } from './tokens';

export const ADMIN_USAGE = `node scripts/admin.mjs <command> [options]

Commands:
  bootstrap     create (or reuse) a user, a team with that user as owner, and an API token;
                prints the token on stdout (it is shown only once)
  create-user   create a user with a password (and, with --team, a membership)
  create-team   create a team (with --email: that user as owner)
  create-token  create an API token for a user in a team; prints it on stdout
  set-role      change a member's role
  signing-key   print the provenance signing key's id and public key (generated when missing)
  rotate-signing-key
                replace the signing key; builds from now on are signed with the new one,
                and the old public key stays at GET /api/v1/keys so older builds still verify

Options:
  --email EMAIL        the user
  --name NAME          user name (create-user/bootstrap) or team/token name
  --team SLUG|NAME     the team (bootstrap creates it when missing; default "Default")
  --role ROLE          owner | admin | member | viewer (default owner for bootstrap, member otherwise)
  --password-stdin     read the password from standard input (else $OSCOMPOSE_ADMIN_PASSWORD)
  --scopes a,b         token scopes (permission names; default: everything the role may do)
  --expires DAYS       token lifetime in days, or "never" (default 90)
  --key-dir DIR        the signing keys (default $OSCOMPOSE_DATA_DIR/keys)

Example (CI):
  printf %s "$PW" | node scripts/admin.mjs bootstrap --email ci@example.com --team ci --password-stdin
`;

export class AdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminError';
  }
}

interface Opts {
  email?: string;
  name?: string;
  team?: string;
  role?: string;
  password?: string;
  scopes?: string;
  expires?: string;
  keyDir?: string;
}

async function findTeam(prisma: PrismaClient, key: string) {
  return prisma.team.findFirst({ where: { OR: [{ slug: key }, { name: key }, { id: key }] } });
}

async function ensureUser(prisma: PrismaClient, o: Opts, required = true) {
  if (!o.email) throw new AdminError('--email is required');
  const email = o.email.toLowerCase();
  const existing = await prisma.user.findUnique({ where: { email } });
  if (existing) {
    if (o.password) await setPassword(prisma, existing.id, o.password);
    return existing;
  }
  if (required && !o.password) throw new AdminError(`no user ${email} yet: give a password (--password-stdin or $OSCOMPOSE_ADMIN_PASSWORD) to create it`);
  const user = await prisma.user.create({ data: { email, name: o.name ?? email.split('@')[0]!, emailVerified: true } });
  if (o.password) await setPassword(prisma, user.id, o.password);
  return user;
}

async function existingUser(prisma: PrismaClient, o: Opts) {
  if (!o.email) throw new AdminError('--email is required');
  const user = await prisma.user.findUnique({ where: { email: o.email.toLowerCase() } });
  if (!user) throw new AdminError(`no user ${o.email}: create it with create-user or bootstrap`);
  return user;
}

async function setPassword(prisma: PrismaClient, userId: string, password: string) {
  if (password.length < 8) throw new AdminError('the password needs at least 8 characters');
  const hash = await hashPassword(password);
  const account = await prisma.account.findFirst({ where: { userId, providerId: 'credential' } });
  if (account) await prisma.account.update({ where: { id: account.id }, data: { password: hash } });
  else await prisma.account.create({ data: { userId, accountId: userId, providerId: 'credential', password: hash } });
}

function roleOr(o: Opts, fallback: Role): Role {
  if (!o.role) return fallback;
  if (!isRole(o.role)) throw new AdminError(`--role ${o.role}: use owner, admin, member or viewer`);
  return o.role;
}

async function ensureMembership(prisma: PrismaClient, teamId: string, userId: string, role: Role) {
  return prisma.membership.upsert({ where: { teamId_userId: { teamId, userId } }, create: { teamId, userId, role }, update: { role } });
}

async function makeToken(prisma: PrismaClient, userId: string, teamId: string, o: Opts): Promise<string> {
  const m = await prisma.membership.findFirst({ where: { userId, teamId } });
  if (!m || !isRole(m.role)) throw new AdminError('the user is not a member of that team: add them with create-user --team or set-role');
  const expires = o.expires === 'never' ? null : o.expires ? Number(o.expires) : 90;
  if (expires !== null && (!Number.isInteger(expires) || expires < 1)) throw new AdminError('--expires wants a number of days or "never"');
  const { token } = await issueToken(prisma, { userId, teamId, role: m.role }, { name: o.name ?? 'operator token', scopes: o.scopes ? o.scopes.split(',').map((s) => s.trim()).filter(Boolean) : [], expiresInDays: expires });
  return token;
}

function signingKeyDir(o: Opts): string {
  return o.keyDir ?? path.join(loadWebConfig().dataDir, 'keys');
}

/** Runs one admin command; returns what goes to stdout. */
export async function runAdmin(prisma: PrismaClient, command: string, o: Opts): Promise<string> {
  switch (command) {
    case 'bootstrap': {
      const user = await ensureUser(prisma, o);
      const key = o.team ?? 'Default';
      const team = (await findTeam(prisma, key)) ?? (await prisma.team.create({ data: { name: key, slug: await uniqueSlug(prisma, key) } }));
      await ensureMembership(prisma, team.id, user.id, roleOr(o, 'owner'));
      await recordAudit(prisma, { teamId: team.id, actorId: null, action: 'admin.bootstrap', target: user.email });
      return (await makeToken(prisma, user.id, team.id, { ...o, name: o.name && o.name !== user.name ? o.name : 'bootstrap token' })) + '\n';
    }
    case 'create-user': {
      const user = await ensureUser(prisma, o);
      if (o.team) {
        const team = await findTeam(prisma, o.team);
        if (!team) throw new AdminError(`no team "${o.team}": create it with create-team`);
        await ensureMembership(prisma, team.id, user.id, roleOr(o, 'member'));
      }
      return `${user.id}\n`;
    }
    case 'create-team': {
      if (!o.name && !o.team) throw new AdminError('--name is required');
      const name = (o.name ?? o.team)!;
      const team = await prisma.team.create({ data: { name, slug: await uniqueSlug(prisma, name) } });
      if (o.email) {
        const user = await ensureUser(prisma, o, false);
        await ensureMembership(prisma, team.id, user.id, roleOr(o, 'owner'));
      }
      return `${team.slug}\n`;
    }
    case 'create-token': {
      const user = await existingUser(prisma, o);
      const team = o.team ? await findTeam(prisma, o.team) : (await prisma.membership.findFirst({ where: { userId: user.id }, include: { team: true }, orderBy: { createdAt: 'asc' } }))?.team;
      if (!team) throw new AdminError(o.team ? `no team "${o.team}"` : `${user.email} is in no team: give --team`);
      return (await makeToken(prisma, user.id, team.id, o)) + '\n';
    }
    case 'set-role': {
      const user = await existingUser(prisma, o);
      const team = o.team ? await findTeam(prisma, o.team) : null;
      if (!team) throw new AdminError('--team is required');
      const role = roleOr(o, 'member');
      await ensureMembership(prisma, team.id, user.id, role);
      await recordAudit(prisma, { teamId: team.id, actorId: null, action: 'member.role', target: user.id, data: { to: role, by: 'operator' } });
      return `${user.email} is ${role} of ${team.slug}\n`;
    }
    case 'signing-key': {
      const key = await ensureSigningKey(signingKeyDir(o));
      return `${key.keyId}\n${createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' })}`;
    }
    case 'rotate-signing-key': {
      const { previous, current } = await rotateSigningKey(signingKeyDir(o));
      return `${current.keyId}\n` + (previous ? `(${previous} is retired; it stays published for verification)\n` : '');
    }
    default:
      throw new AdminError(`unknown command "${command}"\n\n${ADMIN_USAGE}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      team: { type: 'string' },
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      scopes: { type: 'string' },
      expires: { type: 'string' },
      'key-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !positionals[0]) {
    process.stdout.write(ADMIN_USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadWebConfig();
  const password = values['password-stdin'] ? await readStdin() : config.adminPassword;
  // A command of its own (its own process): its own client, closed when it is done.
  const prisma = createPrisma(config.databaseUrl);
  try {
    const { 'key-dir': keyDir, ...rest } = values;
    process.stdout.write(await runAdmin(prisma, positionals[0], { ...rest, ...(keyDir ? { keyDir } : {}), ...(password ? { password } : {}) }));
    return 0;
  } catch (err) {
    if (err instanceof AdminError) {
      process.stderr.write(`admin: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await prisma.$disconnect();
  }
}

if (process.argv[1] && /admin\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
