#!/usr/bin/env node
// Validates rendered Kubernetes manifests (multi-document YAML, e.g. `kubectl kustomize k8s/overlays/dev`) against
// the Kubernetes API schemas bundled in kubernetes-models (types, required fields, formats, enums).
//
//   node validate-k8s.mjs rendered.yaml [more.yaml ...]
//
// Kinds outside the core API (Strimzi's Kafka, KafkaNodePool, KafkaTopic) are checked for the fields this project
// relies on. Prints one JSON line: {ok, documents, errors: [...]}; exit 0 when every document is valid.

import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const CORE = {
  'v1/Namespace': 'kubernetes-models/v1/Namespace',
  'v1/Service': 'kubernetes-models/v1/Service',
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'autoscaling/v2/HorizontalPodAutoscaler': 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
  'networking.k8s.io/v1/NetworkPolicy': 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
  'networking.k8s.io/v1/Ingress': 'kubernetes-models/networking.k8s.io/v1/Ingress',
};

const STRIMZI = {
  'kafka.strimzi.io/v1beta2/Kafka': (o) => [
    o.spec?.kafka?.listeners?.length > 0 || 'spec.kafka.listeners is required',
    typeof o.spec?.kafka?.version === 'string' || 'spec.kafka.version must be a string',
  ],
  'kafka.strimzi.io/v1beta2/KafkaNodePool': (o) => [
    Number.isInteger(o.spec?.replicas) || 'spec.replicas must be an integer',
    Array.isArray(o.spec?.roles) || 'spec.roles must be a list',
    typeof o.metadata?.labels?.['strimzi.io/cluster'] === 'string' || 'label strimzi.io/cluster is required',
  ],
  'kafka.strimzi.io/v1beta2/KafkaTopic': (o) => [
    Number.isInteger(o.spec?.partitions) || 'spec.partitions must be an integer',
    Number.isInteger(o.spec?.replicas) || 'spec.replicas must be an integer',
    typeof o.metadata?.labels?.['strimzi.io/cluster'] === 'string' || 'label strimzi.io/cluster is required',
  ],
};

async function main() {
  const errors = [];
  let documents = 0;
  for (const file of process.argv.slice(2)) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (doc.errors.length) {
        errors.push(`${file}: YAML error ${doc.errors[0].message}`);
        continue;
      }
      const obj = doc.toJSON();
      if (!obj) continue;
      documents++;
      const id = `${obj.apiVersion}/${obj.kind}`;
      const where = `${file}: ${obj.kind}/${obj.metadata?.name}`;
      if (CORE[id]) {
        const mod = await import(CORE[id]);
        const Model = mod[obj.kind];
        try {
          new Model(obj).validate();
        } catch (e) {
          errors.push(`${where}: ${e.message}`);
        }
      } else if (STRIMZI[id]) {
        for (const r of STRIMZI[id](obj)) {
          if (r !== true) errors.push(`${where}: ${r}`);
        }
      } else {
        errors.push(`${where}: unknown kind ${id} (add it to validate-k8s.mjs)`);
      }
    }
  }
  console.log(JSON.stringify({ ok: errors.length === 0, documents, errors }));
  process.exit(errors.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.log(JSON.stringify({ ok: false, documents: 0, errors: [String(e?.stack ?? e)] }));
  process.exit(1);
});
