// ApiDeployment: an immutable snapshot of an Api's spec (ADR 0012). Stages serve one by naming
// it in spec.revision (or spec.canary.revision); `tollgate deploy` creates them, GitOps users
// commit them. The snapshot can never change after creation (a CEL rule in the CRD; the
// compiler takes whatever snapshot it is given).
import { Type, type Static } from '@sinclair/typebox'
import { ApiSpec } from './api.js'
import { Conditions, ObservedGeneration, type KindDefinition } from './common.js'

export const ApiDeploymentSpec = Type.Object(
  {
    apiRef: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the Api (in the same namespace) this is a deployment of.' }),
      },
      { additionalProperties: false, description: 'The Api this deployment was made from.' },
    ),
    description: Type.Optional(Type.String({ maxLength: 1024, description: 'What changed in this deployment.' })),
    snapshot: Type.Composite([ApiSpec], {
      additionalProperties: false,
      description: "A complete copy of the Api's spec at deployment time. Immutable.",
      'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'the snapshot of an ApiDeployment is immutable; create a new ApiDeployment' }],
    }),
  },
  { additionalProperties: false },
)
export type ApiDeploymentSpec = Static<typeof ApiDeploymentSpec>

export const ApiDeploymentStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  revision: Type.Optional(Type.String({ description: 'Content-derived id of the revision the snapshot compiles to.' })),
  stages: Type.Optional(Type.Array(Type.String(), { description: 'Names of the Stages serving this deployment (pinned or as canary).' })),
  conditions: Type.Optional(Conditions),
})

export const ApiDeploymentKind: KindDefinition<typeof ApiDeploymentSpec, typeof ApiDeploymentStatus> = {
  kind: 'ApiDeployment',
  plural: 'apideployments',
  singular: 'apideployment',
  shortNames: ['tgdeploy'],
  description: 'An immutable snapshot of an Api: a revision that Stages serve and roll back to.',
  spec: ApiDeploymentSpec,
  status: ApiDeploymentStatus,
  printerColumns: [
    { name: 'Api', type: 'string', jsonPath: '.spec.apiRef.name' },
    { name: 'Revision', type: 'string', jsonPath: '.status.revision' },
    { name: 'Stages', type: 'string', jsonPath: '.status.stages' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
}
