/**
 * gRPC checks: grpc.health.v1.Health/Check on `host:port[/service]` over a fresh channel per run
 * (closed afterwards, as Consul dials per check); SERVING is passing, any other status or a failed
 * call is critical. grpc_use_tls switches to TLS, verified unless tls_skip_verify.
 */
import * as grpc from '@grpc/grpc-js';
import { decodeHealthCheckResponse, encodeHealthCheckRequest } from '../core/grpc-health-codec.js';
import { type CheckResult, critical, grpcErrorText, grpcServingResult } from '../core/results.js';

export interface GrpcProbeSpec {
  /** `host:port` or `host:port/service`. */
  target: string;
  useTls: boolean;
  tlsSkipVerify: boolean;
  tlsServerName: string;
  timeoutMs: number;
}

const HEALTH_CHECK_METHOD = '/grpc.health.v1.Health/Check';

export function splitGrpcTarget(target: string): { server: string; service: string } {
  const slash = target.indexOf('/');
  return slash < 0
    ? { server: target, service: '' }
    : { server: target.slice(0, slash), service: target.slice(slash + 1) };
}

function channelCredentials(spec: GrpcProbeSpec): grpc.ChannelCredentials {
  if (!spec.useTls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(
    null,
    null,
    null,
    spec.tlsSkipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {},
  );
}

function isServiceError(err: unknown): err is grpc.ServiceError {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number';
}

export function probeGrpc(spec: GrpcProbeSpec, signal: AbortSignal): Promise<CheckResult> {
  const { server, service } = splitGrpcTarget(spec.target);
  const options: grpc.ChannelOptions = {};
  if (spec.useTls && spec.tlsServerName !== '') options['grpc.ssl_target_name_override'] = spec.tlsServerName;
  let client: grpc.Client;
  try {
    client = new grpc.Client(server, channelCredentials(spec), options);
  } catch (err) {
    return Promise.resolve(critical(err instanceof Error ? err.message : String(err)));
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: CheckResult) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      client.close();
      resolve(result);
    };
    const call = client.makeUnaryRequest(
      HEALTH_CHECK_METHOD,
      (request: string) => Buffer.from(encodeHealthCheckRequest(request)),
      (bytes: Buffer) => decodeHealthCheckResponse(bytes),
      service,
      new grpc.Metadata(),
      { deadline: Date.now() + spec.timeoutMs },
      (err, response) => {
        if (err) {
          settle(critical(isServiceError(err) ? grpcErrorText(err.code, err.details) : String(err)));
          return;
        }
        settle(grpcServingResult(spec.target, response?.status ?? 0));
      },
    );
    const onAbort = () => {
      call.cancel();
      settle(critical('check cancelled'));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
