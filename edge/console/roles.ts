/** Console roles, lowest first: each role may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'maintenance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
