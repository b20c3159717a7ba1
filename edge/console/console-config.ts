import path from 'node:path';
import { Type, type Static } from 'typebox';
import { literalUnion } from './literal-union.js';
import { parsePasswordHash, PASSWORD_HASH_PATTERN } from './password-hash.js';
import { ROLES, type Role } from './roles.js';

const ORIGIN_PATTERN = '^https?://[^/?#\\s]+$';
const Origin = Type.String({ pattern: ORIGIN_PATTERN, description: 'scheme://host[:port], e.g. https://edge-7.plant.local:8443' });

export const ConsoleUserSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$', description: 'letters, digits, "_", ".", "@", "-"; at most 64' }),
    role: literalUnion(ROLES),
    passwordHash: Type.String({ pattern: PASSWORD_HASH_PATTERN, description: 'made by "millwright hash-password"' }),
  },
  { additionalProperties: false },
);

/** The `console:` section of the configuration file: the operator console's server and its users. */
export const ConsoleConfigSchema = Type.Object(
  {
    host: Type.Optional(Type.String({ minLength: 1 })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    /** How people reach the console when it is not the address it listens on (a host name, a proxy). */
    publicOrigin: Type.Optional(Origin),
    /** Further origins whose pages may use the API and the WebSocket. */
    allowedOrigins: Type.Optional(Type.Array(Origin)),
    sessionHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 720 })),
    users: Type.Array(ConsoleUserSchema, { minItems: 1 }),
    /** HTTPS with this certificate and key (PEM); relative paths are relative to the configuration file. */
    tls: Type.Optional(Type.Object({ certFile: Type.String({ minLength: 1 }), keyFile: Type.String({ minLength: 1 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export type ConsoleConfig = Static<typeof ConsoleConfigSchema>;

export interface ConsoleUser {
  readonly name: string;
  readonly role: Role;
  readonly passwordHash: string;
}

/** The console section with defaults filled in and paths made absolute. */
export interface ConsoleSettings {
  readonly host: string;
  readonly port: number;
  readonly publicOrigin: string | null;
  readonly allowedOrigins: readonly string[];
  readonly sessionHours: number;
  readonly users: readonly ConsoleUser[];
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
}

export const CONSOLE_DEFAULTS = { host: '127.0.0.1', port: 8080, sessionHours: 12 } as const;

export function resolveConsoleConfig(config: ConsoleConfig, baseDir: string): ConsoleSettings {
  return {
    host: config.host ?? CONSOLE_DEFAULTS.host,
    port: config.port ?? CONSOLE_DEFAULTS.port,
    publicOrigin: config.publicOrigin ?? null,
    allowedOrigins: config.allowedOrigins ?? [],
    sessionHours: config.sessionHours ?? CONSOLE_DEFAULTS.sessionHours,
    users: config.users,
    tls: config.tls ? { certFile: path.resolve(baseDir, config.tls.certFile), keyFile: path.resolve(baseDir, config.tls.keyFile) } : null,
  };
}

/** What the schema cannot check: unique user names, hashes with sane parameters. Paths are relative to `console`. */
export function consoleConfigProblems(config: ConsoleConfig): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const seen = new Map<string, number>();
  config.users.forEach((user, index) => {
    const earlier = seen.get(user.name.toLowerCase());
    if (earlier !== undefined) problems.push({ path: ['users', index, 'name'], message: `user name "${user.name}" is already used by users[${earlier}] (names are compared without case)` });
    seen.set(user.name.toLowerCase(), index);
    if (!parsePasswordHash(user.passwordHash)) {
      problems.push({ path: ['users', index, 'passwordHash'], message: 'not a usable scrypt hash (cost ln must be 10..20): make one with "millwright hash-password"' });
    }
  });
  return problems;
}
