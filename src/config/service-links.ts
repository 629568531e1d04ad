// Kubernetes service-link variables. For every Service in the namespace when a pod starts, kubelet puts variables in
// each container's environment, named after the Service: `{SVCNAME}_SERVICE_HOST`, `{SVCNAME}_SERVICE_PORT`,
// `{SVCNAME}_SERVICE_PORT_{PORTNAME}` per named port, and the Docker-links style `{SVCNAME}_PORT`,
// `{SVCNAME}_PORT_{PORT}_{PROTO}` with `_PROTO`, `_PORT` and `_ADDR`; SVCNAME is the Service name upper-cased with
// `-` turned into `_` (https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables,
// https://kubernetes.io/docs/concepts/containers/container-environment/). Our own Service is called
// `snowflake-risk-exporter`, so its variables start with the override prefix; so do those of any Service named
// `snowflake-risk-exporter-...` (the sharded variant's headless Service, a renamed copy).
//
// The manifests turn these off (`enableServiceLinks: false`), but a pod spec written elsewhere may not, and the
// strict override loader would refuse them and exit 2. So a variable that has exactly the shape kubelet gives, name
// AND value, is recognised here and skipped; a misspelt override never has such a value (`tcp://10.0.0.1:9975`, an
// IP address, a port number), so everything else unknown is still refused.
import { isIP } from 'node:net';

/** Variable names kubelet derives from a Service name: upper case, `-` as `_` (a DNS-1035 label, at most 63). */
const SERVICE_NAME = /^[A-Z][A-Z0-9_]{0,62}$/;
type Protocol = 'TCP' | 'UDP' | 'SCTP';
/** A Service port name (IANA_SVC_NAME: at most 15 characters) as kubelet spells it in a variable. */
const PORT_NAME = /^[A-Z0-9_]{1,15}$/;

interface Shape {
  /** Matches the part after SVCNAME (including its leading `_`); the service name is whatever comes before. */
  readonly suffix: RegExp;
  readonly value: (match: RegExpExecArray, value: string) => boolean;
}

const SHAPES: readonly Shape[] = [
  { suffix: /_SERVICE_HOST$/, value: (_match, value) => isClusterIp(value) },
  { suffix: /_SERVICE_PORT$/, value: (_match, value) => isPort(value) },
  { suffix: /_SERVICE_PORT_([A-Z0-9_]+)$/, value: (match, value) => PORT_NAME.test(match[1] ?? '') && isPort(value) },
  { suffix: /_PORT$/, value: (_match, value) => linkAddress(value) !== undefined },
  {
    suffix: /_PORT_(\d{1,5})_(TCP|UDP|SCTP)$/,
    value: (match, value) => {
      const address = linkAddress(value);
      return address !== undefined && address.protocol === match[2] && address.port === match[1];
    },
  },
  { suffix: /_PORT_(\d{1,5})_(TCP|UDP|SCTP)_PROTO$/, value: (match, value) => value === match[2]?.toLowerCase() && isPort(match[1] ?? '') },
  { suffix: /_PORT_(\d{1,5})_(TCP|UDP|SCTP)_PORT$/, value: (match, value) => value === match[1] && isPort(value) },
  { suffix: /_PORT_(\d{1,5})_(TCP|UDP|SCTP)_ADDR$/, value: (match, value) => isClusterIp(value) && isPort(match[1] ?? '') },
];

/**
 * True when `name=value` is a variable kubelet injects for a Service whose name starts with `servicePrefix` (e.g.
 * `SNOWFLAKE_RISK_EXPORTER`): the name has one of the documented shapes and the value is what kubelet puts there.
 */
export function isServiceLinkVariable(name: string, value: string, servicePrefix: string): boolean {
  for (const shape of SHAPES) {
    const match = shape.suffix.exec(name);
    if (match === null) continue;
    const service = name.slice(0, match.index);
    const ours = service === servicePrefix || service.startsWith(`${servicePrefix}_`);
    if (ours && SERVICE_NAME.test(service) && !service.endsWith('_') && shape.value(match, value)) return true;
  }
  return false;
}

function isPort(text: string): boolean {
  if (!/^\d{1,5}$/.test(text)) return false;
  const port = Number(text);
  return port >= 1 && port <= 65_535;
}

/** A Service's cluster IP: IPv4 or IPv6 (dual-stack clusters give the primary family). */
function isClusterIp(text: string): boolean {
  return isIP(text) !== 0;
}

/** `tcp://10.0.0.1:9975`, `udp://[fd00::1]:53` (older kubelets wrote IPv6 without brackets). */
function linkAddress(value: string): { protocol: Protocol; port: string } | undefined {
  const match = /^(tcp|udp|sctp):\/\/(.+):(\d{1,5})$/.exec(value);
  if (match === null) return undefined;
  const host = (match[2] ?? '').replace(/^\[(.*)\]$/, '$1');
  const port = match[3] ?? '';
  if (!isClusterIp(host) || !isPort(port)) return undefined;
  return { protocol: (match[1] ?? '').toUpperCase() as Protocol, port };
}
