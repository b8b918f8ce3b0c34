//! One ConfigMap per config file of a service: the data key is the file
//! name, the content is passed through verbatim. The pod template mounts
//! them (see `pod::pod_template`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;

use super::Ctx;
use crate::emit::OutputFile;
use crate::model::{names, ConfigFile, Service};

/// `<svc>-<file>`: `api` + `config.yml` gives `api-config-yml`.
pub fn config_map_name(service: &Service, file: &ConfigFile) -> String {
    names::config_map(&service.name, &file.name)
}

pub(super) fn emit(ctx: &Ctx, files: &mut Vec<OutputFile>) {
    for file in &ctx.service.configs {
        let name = config_map_name(ctx.service, file);
        let map = ConfigMap {
            metadata: ctx.meta(&name),
            data: Some(BTreeMap::from([(file.name.clone(), file.content.clone())])),
            ..Default::default()
        };
        ctx.push(files, "ConfigMap", &name, &map);
    }
}
