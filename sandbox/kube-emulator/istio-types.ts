import { DestinationRule as DestinationRuleV1 } from '@kubernetes-models/istio/networking.istio.io/v1/DestinationRule';
import { VirtualService as VirtualServiceV1 } from '@kubernetes-models/istio/networking.istio.io/v1/VirtualService';
import { DestinationRule as DestinationRuleV1alpha3 } from '@kubernetes-models/istio/networking.istio.io/v1alpha3/DestinationRule';
import { VirtualService as VirtualServiceV1alpha3 } from '@kubernetes-models/istio/networking.istio.io/v1alpha3/VirtualService';
import { DestinationRule as DestinationRuleV1beta1 } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { VirtualService as VirtualServiceV1beta1 } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import type { PrinterColumn, ResourceType } from './crds.ts';
import { type ModelClass, modelSchema } from './model-schema.ts';

/**
 * The Istio networking types the emulator serves when no `--crds` folder is given. The type
 * metadata below is what Istio's CustomResourceDefinitions declare (names, short names,
 * categories, printer columns, the status subresource, v1 as the storage version); the
 * schemas are the ones @kubernetes-models/istio generates from those CRDs.
 */
export const ISTIO_NETWORKING = 'networking.istio.io';

const AGE: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'When the object was created.',
};

interface IstioKind {
  kind: string;
  plural: string;
  shortName: string;
  columns: PrinterColumn[];
  models: Record<'v1' | 'v1beta1' | 'v1alpha3', ModelClass>;
}

const KINDS: IstioKind[] = [
  {
    kind: 'VirtualService',
    plural: 'virtualservices',
    shortName: 'vs',
    columns: [
      {
        name: 'Gateways',
        type: 'string',
        jsonPath: '.spec.gateways',
        description: 'Gateways and sidecars the routes apply to.',
      },
      {
        name: 'Hosts',
        type: 'string',
        jsonPath: '.spec.hosts',
        description: 'Hosts the traffic is addressed to.',
      },
      AGE,
    ],
    models: {
      v1: VirtualServiceV1,
      v1beta1: VirtualServiceV1beta1,
      v1alpha3: VirtualServiceV1alpha3,
    },
  },
  {
    kind: 'DestinationRule',
    plural: 'destinationrules',
    shortName: 'dr',
    columns: [
      {
        name: 'Host',
        type: 'string',
        jsonPath: '.spec.host',
        description: 'The service the rule applies to.',
      },
      AGE,
    ],
    models: {
      v1: DestinationRuleV1,
      v1beta1: DestinationRuleV1beta1,
      v1alpha3: DestinationRuleV1alpha3,
    },
  },
];

/** VirtualService and DestinationRule, served at v1, v1beta1 and v1alpha3 (stored as v1). */
export function builtInIstioTypes(): ResourceType[] {
  return KINDS.map((k) => ({
    group: ISTIO_NETWORKING,
    kind: k.kind,
    listKind: `${k.kind}List`,
    plural: k.plural,
    singular: k.kind.toLowerCase(),
    shortNames: [k.shortName],
    categories: ['istio-io', 'networking-istio-io'],
    namespaced: true,
    // Highest priority first, as discovery lists them.
    versions: (['v1', 'v1beta1', 'v1alpha3'] as const).map((name) => ({
      name,
      storage: name === 'v1',
      schema: modelSchema(k.models[name]),
      printerColumns: k.columns,
      statusSubresource: true,
    })),
  }));
}
