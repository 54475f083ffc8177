// KindDefinition → apiextensions.k8s.io/v1 CustomResourceDefinition, as a plain object whose key
// order is the order it is written in (so the YAML is byte-for-byte reproducible).
import { GROUP, VERSION, type KindDefinition } from './common.js'
import { toStructural, type JSONSchemaProps } from './openapi.js'

export const CATEGORIES = ['tollgate']

export function crdName(kind: KindDefinition): string {
  return `${kind.plural}.${GROUP}`
}

export function crdFor(kind: KindDefinition): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: crdName(kind),
      labels: { 'app.kubernetes.io/part-of': 'tollgate' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.singular,
        shortNames: kind.shortNames,
        categories: CATEGORIES,
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: kind.printerColumns.map((c) => ({
            name: c.name,
            type: c.type,
            ...(c.description !== undefined ? { description: c.description } : {}),
            jsonPath: c.jsonPath,
            ...(c.priority !== undefined ? { priority: c.priority } : {}),
          })),
          schema: { openAPIV3Schema: rootSchema(kind) },
        },
      ],
    },
  }
}

/** The whole object: the standard envelope, then spec and status from the kind's schemas. */
export function rootSchema(kind: KindDefinition): JSONSchemaProps {
  return {
    description: kind.description,
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: {
        description: 'APIVersion defines the versioned schema of this representation of an object.',
        type: 'string',
      },
      kind: {
        description: 'Kind is a string value representing the REST resource this object represents.',
        type: 'string',
      },
      metadata: { description: 'Standard object metadata.', type: 'object' },
      spec: { description: `Desired state of the ${kind.kind}.`, ...toStructural(kind.spec, 'spec') },
      status: {
        description: `Observed state of the ${kind.kind}, written by the operator.`,
        ...toStructural(kind.status, 'status'),
      },
    },
  }
}
