// Shared pieces of the resource schemas: metadata, references, conditions and the kind
// descriptor that the CRD generator reads. Every schema here is a TypeBox definition, so one
// source gives the TypeScript type, runtime validation and the generated CRD YAML.
import { Type, type Static, type TSchema } from '@sinclair/typebox'

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
  status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')]),
  reason: Type.String({ description: 'PascalCase reason for the last transition.' }),
  message: Type.String({ description: 'Human readable message.' }),
  observedGeneration: Type.Optional(Type.Integer()),
  lastTransitionTime: Type.Optional(Type.String({ format: 'date-time' })),
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
}
