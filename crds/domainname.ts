// DomainName: a custom domain name — its TLS certificate, optional mutual TLS, and the base path
// mappings that send https://{domainName}/{basePath}/... to a stage of an Api.
import { Type, type Static } from '@sinclair/typebox'
import { Conditions, LocalRef, ObservedGeneration, SecretRef, described, type KindDefinition } from './common.js'
import { error, type Problem } from './problems.js'

/** One base path segment: letters, digits and the URL-safe punctuation API Gateway allows. */
const SEGMENT = "[A-Za-z0-9._~$!*'()+-]+"

export const BasePathMapping = Type.Object(
  {
    basePath: Type.Optional(
      Type.String({
        pattern: `^(\\(none\\)|${SEGMENT}(/${SEGMENT})*)$`,
        maxLength: 1024,
        description:
          "Path prefix after the domain, without leading slash: 'orders' or several levels 'orders/v2'. Absent or " +
          "'(none)': the root. The longest matching mapping wins; the prefix is stripped before routing.",
      }),
    ),
    apiRef: described(LocalRef, 'The Api served under this base path.'),
    stage: Type.Optional(
      Type.String({
        pattern: '^([A-Za-z0-9_-]{1,128}|\\$default)$',
        description: 'Stage name (as in URLs) to serve. Absent: the first path segment after the base path names the stage.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type BasePathMapping = Static<typeof BasePathMapping>

export const DomainNameSpec = Type.Object(
  {
    domainName: Type.String({
      pattern: '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
      maxLength: 253,
      description: "Host name served, lower case, e.g. api.example.com; '*.example.com' serves every subdomain one level down.",
    }),
    certificateSecretRef: described(
      SecretRef,
      'A kubernetes.io/tls Secret (tls.crt, tls.key) with the certificate for domainName, e.g. one cert-manager issues.',
    ),
    mutualTls: Type.Optional(
      Type.Object(
        {
          truststoreSecretRef: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the Secret.' }),
              namespace: Type.Optional(
                Type.String({ minLength: 1, maxLength: 63, description: 'Namespace of the Secret; defaults to the namespace of the DomainName.' }),
              ),
              key: Type.Optional(
                Type.String({
                  minLength: 1,
                  maxLength: 253,
                  default: 'ca.crt',
                  description: "Key of the PEM bundle in the Secret (default 'ca.crt').",
                }),
              ),
            },
            {
              additionalProperties: false,
              description: 'Secret holding the PEM certificate authorities client certificates must chain to.',
            },
          ),
        },
        { additionalProperties: false, description: 'Require clients to present a certificate (mutual TLS). Needs securityPolicy TLS_1_2.' },
      ),
    ),
    securityPolicy: Type.Optional(
      Type.Union([Type.Literal('TLS_1_0'), Type.Literal('TLS_1_2')], {
        default: 'TLS_1_2',
        description: 'Minimum TLS version clients may use (default TLS_1_2).',
      }),
    ),
    endpointType: Type.Optional(
      Type.Union([Type.Literal('REGIONAL'), Type.Literal('PRIVATE')], {
        description: 'REGIONAL: served on the public listener; PRIVATE: in-cluster only (default REGIONAL).',
      }),
    ),
    basePathMappings: Type.Optional(
      Type.Array(BasePathMapping, {
        maxItems: 200,
        description: 'Which Api stage serves which base path; base paths must be unique.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type DomainNameSpec = Static<typeof DomainNameSpec>

export const DomainNameStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  certificateNotAfter: Type.Optional(
    Type.String({ format: 'date-time', description: 'Expiry of the certificate in use.' }),
  ),
  mappings: Type.Optional(Type.Integer({ minimum: 0, description: 'Number of base path mappings being served.' })),
  conditions: Type.Optional(Conditions),
})

export function checkDomainName(spec: DomainNameSpec): Problem[] {
  const problems: Problem[] = []
  if (spec.mutualTls && spec.securityPolicy === 'TLS_1_0') {
    problems.push(error('spec.securityPolicy', 'InvalidSecurityPolicy', 'mutual TLS needs securityPolicy TLS_1_2'))
  }
  const seen = new Map<string, number>()
  ;(spec.basePathMappings ?? []).forEach((m, i) => {
    const path = m.basePath ?? '(none)'
    const first = seen.get(path)
    if (first === undefined) seen.set(path, i)
    else problems.push(error(`spec.basePathMappings[${i}].basePath`, 'DuplicateBasePath', `${path} is already mapped by spec.basePathMappings[${first}]`))
  })
  return problems
}

export const DomainNameKind: KindDefinition<typeof DomainNameSpec, typeof DomainNameStatus> = {
  kind: 'DomainName',
  plural: 'domainnames',
  singular: 'domainname',
  shortNames: ['tgdomain'],
  description: 'A custom domain name: TLS certificate, optional mutual TLS, and base path mappings to Api stages.',
  spec: DomainNameSpec,
  status: DomainNameStatus,
  printerColumns: [
    { name: 'Domain', type: 'string', jsonPath: '.spec.domainName' },
    { name: 'Endpoint', type: 'string', jsonPath: '.spec.endpointType' },
    { name: 'Mappings', type: 'integer', jsonPath: '.status.mappings' },
    { name: 'Expires', type: 'date', jsonPath: '.status.certificateNotAfter', priority: 1 },
    { name: 'Accepted', type: 'string', jsonPath: ".status.conditions[?(@.type=='Accepted')].status" },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  check: checkDomainName,
}
