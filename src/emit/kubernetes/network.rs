//! NetworkPolicy (who may reach the pods) and Ingress (how the outside
//! world reaches the stable/active Service).

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, IPBlock, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, NetworkPolicy, NetworkPolicyIngressRule,
    NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{ingress_name, label_selector, service_name, Ctx};
use crate::emit::OutputFile;

/// ingress-nginx: requests per minute per client IP.
pub const LIMIT_RPM_ANNOTATION: &str = "nginx.ingress.kubernetes.io/limit-rpm";

pub(super) fn emit(ctx: &Ctx, files: &mut Vec<OutputFile>) {
    let name = service_name(ctx.service);
    if !ctx.service.allow.is_empty() {
        // Only the listed CIDRs may reach the service's ports; every other
        // ingress to these pods is denied once a policy selects them.
        let from = ctx
            .service
            .allow
            .iter()
            .map(|cidr| NetworkPolicyPeer {
                ip_block: Some(IPBlock {
                    cidr: cidr.clone(),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect();
        let ports = ctx
            .service
            .ports
            .iter()
            .map(|p| NetworkPolicyPort {
                port: Some(IntOrString::Int(i32::from(p.number))),
                protocol: Some("TCP".into()),
                ..Default::default()
            })
            .collect();
        let policy = NetworkPolicy {
            metadata: ctx.meta(&name),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(label_selector(ctx.spec, ctx.service)),
                policy_types: Some(vec!["Ingress".into()]),
                ingress: Some(vec![NetworkPolicyIngressRule {
                    from: Some(from),
                    ports: Some(ports),
                }]),
                ..Default::default()
            }),
        };
        ctx.push(files, "NetworkPolicy", &name, &policy);
    }

    if let (Some(ingress), Some(port)) = (&ctx.service.ingress, ctx.service.main_port()) {
        let name = ingress_name(ctx.service);
        let mut meta = ctx.meta(&name);
        if let Some(rpm) = ingress.rate_limit_rpm {
            meta.annotations = Some(BTreeMap::from([(
                LIMIT_RPM_ANNOTATION.to_string(),
                rpm.to_string(),
            )]));
        }
        let backend = IngressBackend {
            service: Some(IngressServiceBackend {
                name: service_name(ctx.service),
                port: Some(ServiceBackendPort {
                    name: Some(port.name.clone()),
                    ..Default::default()
                }),
            }),
            ..Default::default()
        };
        let object = Ingress {
            metadata: meta,
            spec: Some(IngressSpec {
                rules: Some(vec![IngressRule {
                    host: Some(ingress.host.clone()),
                    http: Some(HTTPIngressRuleValue {
                        paths: vec![HTTPIngressPath {
                            path: Some(ingress.path.clone()),
                            path_type: "Prefix".into(),
                            backend,
                        }],
                    }),
                }]),
                tls: ingress.tls_secret.as_ref().map(|secret| {
                    vec![IngressTLS {
                        hosts: Some(vec![ingress.host.clone()]),
                        secret_name: Some(secret.clone()),
                    }]
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        ctx.push(files, "Ingress", &name, &object);
    }
}
