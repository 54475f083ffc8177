// Shared pieces of the resource schemas: metadata, references, conditions and the kind
// descriptor that the CRD generator reads. Every schema here is a TypeBox definition, so one
// source gives the TypeScript type, runtime validation and the generated CRD YAML.
import { CloneType, Type, type Static, type TSchema } from '@sinclair/typebox'
import type { Problem } from './problems.js'

export const GROUP = 'tollgate.dev'
export const VERSION = 'v1alpha1'
export const API_VERSION = `${GROUP}/${VERSION}`

/** A reference to another resource in the same namespace (or another one, with a grant). */
export const LocalRef = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the referenced resource.' }),
    namespace: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description: 'Namespace of the referenced resource; defaults to the namespace of the referring resource.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type LocalRef = Static<typeof LocalRef>

/** A reference to one key of a Secret. */
export const SecretKeyRef = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the Secret.' }),
    key: Type.String({ minLength: 1, maxLength: 253, description: 'Key inside the Secret data.' }),
  },
  { additionalProperties: false },
)
export type SecretKeyRef = Static<typeof SecretKeyRef>

/** A reference to a whole Secret, e.g. a kubernetes.io/tls Secret. */
export const SecretRef = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the Secret.' }),
    namespace: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description: 'Namespace of the Secret; defaults to the namespace of the referring resource.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type SecretRef = Static<typeof SecretRef>

/** A standard Kubernetes label selector (metav1.LabelSelector). */
export const LabelSelector = Type.Object(
  {
    matchLabels: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Labels the selected resources must all carry, with exactly these values.',
      }),
    ),
    matchExpressions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            key: Type.String({ minLength: 1, maxLength: 317, description: 'Label key the requirement applies to.' }),
            operator: Type.Union([Type.Literal('In'), Type.Literal('NotIn'), Type.Literal('Exists'), Type.Literal('DoesNotExist')], {
              description: 'In and NotIn compare the label value with values; Exists and DoesNotExist test the key only.',
            }),
            values: Type.Optional(
              Type.Array(Type.String({ maxLength: 63 }), {
                description: 'Values for In and NotIn (at least one); must be empty for Exists and DoesNotExist.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        { description: 'Label requirements, all of which must hold.' },
      ),
    ),
  },
  { additionalProperties: false },
)
export type LabelSelector = Static<typeof LabelSelector>

/** `schema` with another description: a shared shape (a reference, a throttle) described where it is used. */
export function described<T extends TSchema>(schema: T, description: string): T {
  return CloneType(schema, { description })
}

export const ObjectMeta = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253 }),
    namespace: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
    generation: Type.Optional(Type.Integer()),
    resourceVersion: Type.Optional(Type.String()),
    uid: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
)
export type ObjectMeta = Static<typeof ObjectMeta>

/** A standard Kubernetes condition (metav1.Condition). */
export const Condition = Type.Object({
  type: Type.String({ description: 'Type of the condition: Accepted, ResolvedRefs, Programmed.' }),
  status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')], {
    description: 'Whether the condition holds.',
  }),
  reason: Type.String({ description: 'PascalCase reason for the last transition.' }),
  message: Type.String({ description: 'Human readable message.' }),
  observedGeneration: Type.Optional(
    Type.Integer({ description: 'metadata.generation of the resource the condition was set for.' }),
  ),
  lastTransitionTime: Type.Optional(
    Type.String({ format: 'date-time', description: 'When the status of the condition last changed.' }),
  ),
})
export type Condition = Static<typeof Condition>

export const Conditions = Type.Array(Condition, {
  description: 'Latest observations of the resource state.',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
})

export interface PrinterColumn {
  name: string
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  jsonPath: string
  description?: string
  priority?: number
}

/** observedGeneration of a status: the metadata.generation the status describes. */
export const ObservedGeneration = Type.Integer({
  description: 'metadata.generation of the spec this status was computed from.',
})

/** Everything the CRD generator and the validator need to know about one kind. */
export interface KindDefinition<Spec extends TSchema = TSchema, Status extends TSchema = TSchema> {
  kind: string
  plural: string
  singular: string
  shortNames: string[]
  description: string
  spec: Spec
  status: Status
  printerColumns: PrinterColumn[]
  /**
   * Rules across fields that a structural schema cannot state (one of two fields, a field that
   * only one type needs). Called by validateResource only on a spec that passed the schema, so
   * it may rely on the schema's types. Field paths are relative to the resource ("spec.x").
   */
  check?(spec: Static<Spec>): Problem[]
}
