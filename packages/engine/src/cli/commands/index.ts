// The command table. A new subcommand (submit, login, push …) is one module and one line here.
import type { Command } from '../command';
import { buildCommand } from './build';
import { cacheCommand } from './cache';
import { resolveCommand } from './resolve';
import { validateCommand } from './validate';
import { submitCommand } from '../submit';
import { loginCommand } from '../login';
import { pushCommand } from '../push';
import { verifyCommand } from './verify';

export const commands: Command[] = [buildCommand, validateCommand, resolveCommand, cacheCommand, submitCommand, loginCommand, pushCommand, verifyCommand];

export function addCommand(c: Command): void {
  commands.push(c);
}
