// The Kubernetes manifests as a cluster would receive them: every variant is rendered with `kubectl kustomize`
// (offline), each object is validated against the Kubernetes and Prometheus Operator schemas (kubernetes-models),
// and then checked for what schemas accept but would be wrong here: probes on real paths and ports, selectors that
// match the pods' labels, hardened security contexts, no secret inline, the configuration in the ConfigMap valid for
// this exporter, secret files mounted where the configuration reads them, the PrometheusRule equal to alerts/.
// Needs kubectl (with kustomize) on PATH; without it the test fails rather than skips.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, PersistentVolumeClaim, Service, ServiceAccount } from 'kubernetes-models/v1';
import { loadConfigFromText } from '../../../src/config/index.ts';
import { DEFAULTS } from '../../../src/config/types.ts';

const REPO = resolve(import.meta.dirname, '../../..');
const VARIANTS = ['standalone', 'sharded', 'sidecar-example'] as const;

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment,
   @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   rendered manifests are untyped YAML; the first test validates every object against its schema model, and the
   later ones walk them as plain data. */
type K8sObject = Record<string, any>;

const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/ServiceAccount': ServiceAccount,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

function render(variant: string): K8sObject[] {
  const result = spawnSync('kubectl', ['kustomize', join(REPO, 'deploy', 'kubernetes', variant)], { encoding: 'utf8' });
  assert.equal(result.error, undefined, 'kubectl must be installed (with kustomize)');
  assert.equal(result.status, 0, result.stderr);
  return parseAllDocuments(result.stdout).map((document) => document.toJS() as K8sObject);
}

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined): boolean =>
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

const workloads = (objects: K8sObject[]): K8sObject[] => objects.filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet');

/** The exporter's container in a pod spec: a container, or a native-sidecar init container. */
function exporterContainer(podSpec: K8sObject): K8sObject | undefined {
  return [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])].find((container: K8sObject) =>
    String(container.image).includes('snowflake-risk-exporter'),
  );
}

/**
 * The variables kubelet puts in every container for one Service with a cluster IP, by the documented rule
 * (https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables and
 * https://kubernetes.io/docs/concepts/containers/container-environment/): SVCNAME is the name upper-cased with `-`
 * as `_`; `{SVCNAME}_SERVICE_HOST`, `{SVCNAME}_SERVICE_PORT` (first port), `{SVCNAME}_SERVICE_PORT_{NAME}` per named
 * port, and the Docker-links style `{SVCNAME}_PORT` (first port) and `{SVCNAME}_PORT_{PORT}_{PROTO}` with `_PROTO`,
 * `_PORT` and `_ADDR` for every port.
 */
function serviceLinkVariables(service: K8sObject, clusterIp: string): Record<string, string> {
  const svc = String(service.metadata.name).toUpperCase().replaceAll('-', '_');
  const ports = service.spec.ports as K8sObject[];
  const host = clusterIp.includes(':') ? `[${clusterIp}]` : clusterIp;
  const env: Record<string, string> = { [`${svc}_SERVICE_HOST`]: clusterIp, [`${svc}_SERVICE_PORT`]: String(ports[0]!.port) };
  for (const port of ports) {
    if (port.name !== undefined) env[`${svc}_SERVICE_PORT_${String(port.name).toUpperCase().replaceAll('-', '_')}`] = String(port.port);
  }
  ports.forEach((port, index) => {
    const protocol = String(port.protocol ?? 'TCP');
    const address = `${protocol.toLowerCase()}://${host}:${port.port}`;
    if (index === 0) env[`${svc}_PORT`] = address;
    const prefix = `${svc}_PORT_${port.port}_${protocol.toUpperCase()}`;
    Object.assign(env, { [prefix]: address, [`${prefix}_PROTO`]: protocol.toLowerCase(), [`${prefix}_PORT`]: String(port.port), [`${prefix}_ADDR`]: clusterIp });
  });
  return env;
}

/** What kubelet injects for the Services of a namespace: nothing for a headless one (no cluster IP to give). */
function injectedByKubelet(services: readonly K8sObject[]): Record<string, string> {
  return Object.assign({}, ...services.filter((service) => service.spec.clusterIP !== 'None').map((service, index) => serviceLinkVariables(service, `10.96.0.${10 + index}`)));
}

/** Services a namespace may hold beside the rendered ones: a renamed copy of ours (IPv6, UDP and SCTP ports, unnamed port), and an unrelated one. */
const OTHER_SERVICES: readonly K8sObject[] = [
  {
    kind: 'Service',
    metadata: { name: 'snowflake-risk-exporter-metrics' },
    spec: { ports: [{ name: 'http-metrics', port: 9975 }, { name: 'syslog', port: 514, protocol: 'UDP' }, { name: 'sctp-feed', port: 9976, protocol: 'SCTP' }] },
  },
  { kind: 'Service', metadata: { name: 'snowflake-risk-exporter-oauth' }, spec: { ports: [{ port: 9976, protocol: 'TCP' }] } },
  { kind: 'Service', metadata: { name: 'prometheus' }, spec: { ports: [{ name: 'web', port: 9090 }] } },
];

describe('Kubernetes manifests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sre-k8s-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const variant of VARIANTS) {
    describe(variant, () => {
      const objects = render(variant);
      const exporterPods = workloads(objects).filter((workload) => exporterContainer(workload.spec.template.spec) !== undefined);

      it('renders objects that validate against the Kubernetes and Prometheus Operator schemas', () => {
        assert.ok(objects.length >= 6);
        for (const object of objects) {
          const key = `${object.apiVersion}/${object.kind}`;
          const Model = MODELS[key];
          assert.ok(Model, `no schema model for ${key}`);
          assert.doesNotThrow(() => new Model(object as never).validate(), `${key} ${object.metadata?.name}`);
        }
        assert.equal(objects.filter((object) => object.kind === 'Secret').length, 0, 'Secrets are created by the operator, never shipped');
        assert.equal(exporterPods.length, 1, 'one workload runs the exporter');
      });

      it('probes the real health endpoints on the real port, and never Snowflake', () => {
        const container = exporterContainer(exporterPods[0]!.spec.template.spec)!;
        const port = container.ports.find((candidate: K8sObject) => candidate.name === 'http-metrics');
        assert.equal(port?.containerPort, DEFAULTS.listen.port);
        for (const [probe, path] of [['startupProbe', '/healthz'], ['livenessProbe', '/healthz'], ['readinessProbe', '/readyz']] as const) {
          assert.deepEqual(container[probe]?.httpGet, { path, port: 'http-metrics' }, probe);
        }
        if (variant === 'sidecar-example') {
          assert.equal(container.restartPolicy, 'Always', 'a native sidecar is an init container with restartPolicy Always');
          assert.ok(exporterPods[0]!.spec.template.spec.containers.some((other: K8sObject) => other.name === 'prometheus'), 'the workload keeps its own container');
        }
      });

      it('is hardened: non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp, resources set', () => {
        const spec = exporterPods[0]!.spec.template.spec;
        const container = exporterContainer(spec)!;
        const context = { ...spec.securityContext, ...container.securityContext } as K8sObject;
        assert.equal(context.runAsNonRoot, true);
        assert.ok(Number(context.runAsUser) > 0);
        assert.equal(context.seccompProfile?.type, 'RuntimeDefault');
        assert.equal(container.securityContext.readOnlyRootFilesystem, true);
        assert.equal(container.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(container.securityContext.capabilities?.drop, ['ALL']);
        assert.ok(container.resources?.requests?.cpu && container.resources?.requests?.memory && container.resources?.limits?.memory);
        // With a read-only root filesystem, everything the exporter writes must be a mounted volume.
        const mounts = new Map<string, string>(container.volumeMounts.map((mount: K8sObject) => [mount.mountPath, mount.name]));
        assert.ok(mounts.has('/app/data') && mounts.has('/tmp'), [...mounts.keys()].join(', '));
        if (variant !== 'sidecar-example') assert.equal(spec.automountServiceAccountToken, false);
      });

      it('selectors match: Service and policies select the exporter pods, the ServiceMonitor its Service', () => {
        const workload = exporterPods[0]!;
        const podLabels = workload.spec.template.metadata.labels as Record<string, string>;
        assert.ok(matches(workload.spec.selector.matchLabels, podLabels), 'workload selector matches its pod template');
        const services = objects.filter((object) => object.kind === 'Service' && object.spec.clusterIP !== 'None');
        assert.equal(services.length, 1);
        const service = services[0]!;
        assert.ok(matches(service.spec.selector, podLabels), 'the Service selects the exporter pods');
        assert.equal(service.spec.ports[0].targetPort, 'http-metrics');
        const monitors = objects.filter((object) => object.kind === 'ServiceMonitor');
        assert.equal(monitors.length, 1);
        const selected = objects.filter((object) => object.kind === 'Service' && matches(monitors[0]!.spec.selector.matchLabels, object.metadata.labels));
        assert.deepEqual(selected.map((object) => object.metadata.name), [service.metadata.name], 'the ServiceMonitor scrapes exactly one Service');
        assert.equal(monitors[0]!.spec.endpoints[0].port, service.spec.ports[0].name);
        assert.equal(monitors[0]!.spec.endpoints[0].path, '/metrics');
        for (const policy of objects.filter((object) => object.kind === 'NetworkPolicy' || object.kind === 'PodDisruptionBudget')) {
          const selector = policy.kind === 'NetworkPolicy' ? policy.spec.podSelector.matchLabels : policy.spec.selector.matchLabels;
          assert.ok(matches(selector, podLabels), `${policy.kind} selects the exporter pods`);
        }
        if (variant === 'sidecar-example') {
          assert.equal(objects.filter((object) => object.kind === 'NetworkPolicy' || object.kind === 'PodDisruptionBudget').length, 0, 'no policy imposed on your workload');
        }
      });

      /** The exporter's configuration file as the pod reads it, with its secret files stood in for by local ones. */
      const podConfiguration = (): { text: string; env: Record<string, string>; dir: string } => {
        const spec = exporterPods[0]!.spec.template.spec;
        const container = exporterContainer(spec)!;
        const configPath = container.env.find((entry: K8sObject) => entry.name === 'SNOWFLAKE_RISK_EXPORTER_CONFIG')?.value as string;
        const volumeOf = (name: string): K8sObject => spec.volumes.find((volume: K8sObject) => volume.name === name);
        const mountFor = (path: string): K8sObject | undefined =>
          container.volumeMounts.find((mount: K8sObject) => path.startsWith(`${mount.mountPath}/`));
        const configMount = mountFor(configPath)!;
        const configMapName = volumeOf(configMount.name).configMap.name as string;
        const configMap = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === configMapName);
        assert.ok(configMap, `ConfigMap ${configMapName} is rendered`);
        const text = configMap.data[configPath.slice(configMount.mountPath.length + 1)] as string;
        assert.ok(text, 'the file the exporter reads is a key of the ConfigMap');

        // Every `file:` secret reference lies under the mounted Secret; no value is inline (the loader refuses those).
        const references = [...text.matchAll(/file:(\S+)/g)].map((match) => match[1]!);
        assert.ok(references.length > 0);
        for (const reference of references) {
          const mount = mountFor(reference);
          assert.ok(mount && volumeOf(mount.name).secret?.secretName === 'snowflake-risk-exporter-credentials', `${reference} is in the credentials Secret`);
        }
        // Load it as the exporter would, with the secret files stood in for by local ones.
        const secrets = join(dir, variant);
        mkdirSync(secrets, { recursive: true });
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        let local = text;
        for (const reference of references) {
          const file = join(secrets, reference.split('/').at(-1)!);
          writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
          local = local.replaceAll(reference, file);
        }
        const env: Record<string, string> = {};
        for (const entry of container.env as K8sObject[]) if (typeof entry.value === 'string' && entry.name !== 'SNOWFLAKE_RISK_EXPORTER_CONFIG') env[entry.name] = entry.value;
        if (container.env.some((entry: K8sObject) => entry.name === 'SNOWFLAKE_RISK_EXPORTER_SHARDING__INDEX')) env.SNOWFLAKE_RISK_EXPORTER_SHARDING__INDEX = '2';
        return { text: local, env, dir: secrets };
      };

      it('mounts the ConfigMap and Secret where the configuration reads them, and the configuration is valid', () => {
        const { text, env, dir: secrets } = podConfiguration();
        const { config } = loadConfigFromText(text, { sourcePath: join(secrets, 'config.yaml'), env, cwd: secrets });
        assert.equal(config.state.path, '/app/data/state.db', 'the state store is on the data volume');
        assert.equal(config.server.listen.port, DEFAULTS.listen.port);
      });

      it('turns service links off in every pod, and starts anyway with the variables kubelet would inject', () => {
        // kubelet would otherwise give the exporter SNOWFLAKE_RISK_EXPORTER_SERVICE_HOST and the like (our Service's
        // name), which start with the configuration override prefix.
        for (const workload of workloads(objects)) {
          assert.equal(workload.spec.template.spec.enableServiceLinks, false, `${workload.kind} ${workload.metadata.name}`);
        }
        const services = objects.filter((object) => object.kind === 'Service');
        const headless = services.filter((service) => service.spec.clusterIP === 'None');
        assert.equal(headless.length, variant === 'sharded' ? 1 : 0);
        // A pod spec written elsewhere may leave service links on: the configuration must load with them all the same,
        // for the rendered Services as kubelet sees them, for the headless one as if it had a cluster IP, and for
        // Services named differently in the same namespace.
        const { text, env, dir: secrets } = podConfiguration();
        const load = (extra: Record<string, string>) => loadConfigFromText(text, { sourcePath: join(secrets, 'config.yaml'), env: { ...extra, ...env }, cwd: secrets });
        const plain = load({});
        const asKubelet = injectedByKubelet(services);
        assert.ok(Object.keys(asKubelet).includes('SNOWFLAKE_RISK_EXPORTER_SERVICE_HOST'));
        for (const name of Object.keys(asKubelet)) assert.ok(!name.startsWith('SNOWFLAKE_RISK_EXPORTER_SHARDS_'), `kubelet gives a headless Service no variables: ${name}`);
        const everything = {
          ...asKubelet,
          ...Object.assign({}, ...headless.map((service) => serviceLinkVariables(service, '10.96.1.1'))),
          ...serviceLinkVariables(OTHER_SERVICES[0]!, 'fd00:10:96::a'),
          ...serviceLinkVariables(OTHER_SERVICES[1]!, '10.96.1.2'),
          ...serviceLinkVariables(OTHER_SERVICES[2]!, '10.96.1.3'),
        };
        for (const injected of [asKubelet, everything]) {
          const loaded = load(injected);
          const ours = Object.keys(injected).filter((name) => name.startsWith('SNOWFLAKE_RISK_EXPORTER_')).sort();
          assert.ok(ours.length >= 7);
          assert.deepEqual([...loaded.ignoredServiceLinks].sort(), ours, 'every service-link variable of ours is recognised and skipped');
          assert.deepEqual(loaded.config.server, plain.config.server);
          assert.deepEqual(loaded.config.accounts.map((account) => account.name), plain.config.accounts.map((account) => account.name));
          assert.deepEqual(loaded.config.sharding, plain.config.sharding);
        }
      });
    });
  }

  it('the PrometheusRule deployed is the one generated from alerts/', () => {
    const shipped = parseYaml(readFileSync(join(REPO, 'alerts', 'kubernetes', 'prometheus-rule.yaml'), 'utf8')) as K8sObject;
    for (const variant of VARIANTS) {
      const rule = render(variant).find((object) => object.kind === 'PrometheusRule');
      assert.deepEqual(rule?.spec, shipped.spec, variant);
    }
  });
});
