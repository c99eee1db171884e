/**
 * The standard OpenID Connect identity resources, so a configuration can name
 * them (`"identityResources": ["openid", "profile"]`) instead of spelling out
 * their claims. Claims per OpenID Connect Core 1.0 §5.4; display texts follow
 * IdentityServer's `IdentityResources.*`.
 */
import { identityResourceSchema, type IdentityResourceConfig } from './schema.js';

type StandardDefinition = Pick<IdentityResourceConfig, 'name' | 'displayName' | 'description' | 'userClaims'> &
  Partial<Pick<IdentityResourceConfig, 'required' | 'emphasize'>>;

const DEFINITIONS: readonly StandardDefinition[] = [
  // OIDC Core §5.4: openid requests the sub claim.
  { name: 'openid', displayName: 'Your user identifier', description: 'Your user identifier', userClaims: ['sub'], required: true },
  {
    name: 'profile',
    displayName: 'User profile',
    description: 'Your user profile information (first name, last name, etc.)',
    emphasize: true,
    userClaims: [
      'name',
      'family_name',
      'given_name',
      'middle_name',
      'nickname',
      'preferred_username',
      'profile',
      'picture',
      'website',
      'gender',
      'birthdate',
      'zoneinfo',
      'locale',
      'updated_at',
    ],
  },
  {
    name: 'email',
    displayName: 'Your email address',
    description: 'Your email address and whether it is verified',
    emphasize: true,
    userClaims: ['email', 'email_verified'],
  },
  { name: 'address', displayName: 'Your postal address', description: 'Your postal address', emphasize: true, userClaims: ['address'] },
  {
    name: 'phone',
    displayName: 'Your phone number',
    description: 'Your phone number and whether it is verified',
    emphasize: true,
    userClaims: ['phone_number', 'phone_number_verified'],
  },
  // OIDC Core §11: offline_access asks for a refresh token; it carries no claims.
  {
    name: 'offline_access',
    displayName: 'Offline access',
    description: 'Access to your applications and resources, even when you are offline',
    emphasize: true,
    userClaims: [],
  },
];

/** Names a configuration may use for a standard identity resource. */
export const STANDARD_IDENTITY_RESOURCE_NAMES: readonly string[] = DEFINITIONS.map((d) => d.name);

/**
 * The standard identity resource with that name, or undefined.
 *
 * @example standardIdentityResource('email')?.userClaims // ['email', 'email_verified']
 */
export function standardIdentityResource(name: string): IdentityResourceConfig | undefined {
  const def = DEFINITIONS.find((d) => d.name === name);
  return def ? identityResourceSchema.parse({ ...def, userClaims: [...def.userClaims] }) : undefined;
}

/**
 * Resolves one `identityResources` entry: a standard name becomes its full
 * definition, an object is returned as is. An unknown name throws.
 *
 * @example resolveIdentityResource('openid').required // true
 */
export function resolveIdentityResource(entry: string | IdentityResourceConfig): IdentityResourceConfig {
  if (typeof entry !== 'string') return entry;
  const found = standardIdentityResource(entry);
  if (!found) {
    throw new Error(`unknown standard identity resource "${entry}"; standard names are ${STANDARD_IDENTITY_RESOURCE_NAMES.join(', ')}`);
  }
  return found;
}
